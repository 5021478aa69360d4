/**
 * llama.cpp's OpenAI-compatible server with a tiny deterministic model, from the
 * folder beside the repository (`../shared/tools/llama-server`, or
 * INKWELL_LLAMA_SERVER_DIR). A fresh clone without that folder skips the tests
 * that need it, and says so.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface LlamaServer {
  /** Base URL with the API prefix, e.g. http://127.0.0.1:PORT/v1. */
  readonly url: string;
  readonly pid: number;
  /** The server's log. */
  readonly logFile: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * The folder holding start.sh, or undefined when this checkout has none. `repo` is the
 * repository root (tests bundled elsewhere pass it; by default the one this file is in).
 */
export function llamaServerDir(repo = path.resolve(__dirname, '..', '..')): string | undefined {
  const dir = process.env.INKWELL_LLAMA_SERVER_DIR ?? path.resolve(repo, '..', 'shared', 'tools', 'llama-server');
  return fs.existsSync(path.join(dir, 'start.sh')) ? dir : undefined;
}

/** The notice a skipped test prints. */
export const NO_LLAMA_SERVER =
  'skipped: no llama-server beside the repository (../shared/tools/llama-server; set INKWELL_LLAMA_SERVER_DIR to point at one)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startLlamaServer(repo?: string): Promise<LlamaServer> {
  const dir = llamaServerDir(repo);
  if (!dir) throw new Error(NO_LLAMA_SERVER);
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-llama-')), 'server.log');
  const port = await freePort();
  const pid = Number(
    execFileSync('bash', [path.join(dir, 'start.sh'), String(port)], {
      env: { ...process.env, LLAMA_SERVER_LOG: logFile },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim(),
  );
  return {
    url: `http://127.0.0.1:${port}/v1`,
    pid,
    logFile,
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(pid, 'SIGKILL');
    },
  };
}
