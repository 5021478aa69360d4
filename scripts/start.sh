#!/usr/bin/env bash
# Opens the sample blog (samples/blog) in VS Code with Inkwell loaded from this folder.
# Uses a desktop `code` when there is one; otherwise starts the offline VS Code
# (code-server) on 127.0.0.1 and prints the URL to open in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "[inkwell] installing npm packages"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
echo "[inkwell] building"
node esbuild.js
if command -v code >/dev/null 2>&1 && [ -z "${INKWELL_NO_DESKTOP:-}" ]; then
  exec code --extensionDevelopmentPath="$PWD" "$PWD/samples/blog"
fi
if ! command -v chromium >/dev/null 2>&1 && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  echo "[inkwell] code-server needs Debian's libkrb5-dev: apt-get install -y libkrb5-dev" >&2
fi
bash scripts/install-test-host.sh
exec node scripts/serve.mjs "$@"
