/**
 * Runs every entry point once on one hostile post of 256 KB (or a normal post, for
 * `normal`) and prints the process's peak resident set in bytes. Run by bench/hostile.ts,
 * one process per case, so that peaks do not mix.
 */
import { HOSTILE_CASES, normalPost } from '../test/support/hostileInputs';
import { hostileEntryPoints } from './hostile';

const name = process.argv[2];
const text = name === 'normal' ? normalPost(256_000) : HOSTILE_CASES.find((c) => c.name === name)?.make(256_000);
if (text === undefined) throw new Error(`unknown case ${name}`);
for (const run of Object.values(hostileEntryPoints())) run(text);
console.log(process.resourceUsage().maxRSS * 1024);
