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
# code-server's native modules build against the Kerberos headers.
if [ ! -f .vscode-test/code-server/node_modules/code-server/out/node/entry.js ] && command -v dpkg >/dev/null 2>&1 && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "[inkwell] installing Debian's libkrb5-dev for code-server"
  $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends libkrb5-dev
fi
bash scripts/install-test-host.sh
exec node scripts/serve.mjs "$@"
