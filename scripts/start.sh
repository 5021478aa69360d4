#!/usr/bin/env bash
# Opens the sample blog (samples/blog) in VS Code with Inkwell loaded from this folder.
# Uses a desktop `code` when there is one; otherwise starts the offline VS Code
# (code-server) on 127.0.0.1 and prints the URL to open in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/progress.sh
source scripts/progress.sh
# The first run installs things (about 3 minutes on a quiet 2-core machine, up to 15 on a busy
# one, most of it code-server's native build); later runs only build (seconds) and start.
if [ ! -d node_modules ]; then
  echo "[inkwell] npm packages (first run only: about a minute)"
  export ONNXRUNTIME_NODE_INSTALL=skip
  run_with_progress "[inkwell]" "installing npm packages" npm ci --no-audit --no-fund
fi
echo "[inkwell] building the extension"
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
[ -f .vscode-test/code-server/node_modules/code-server/out/node/entry.js ] ||
  echo "[inkwell] no desktop VS Code here: installing the offline VS Code (code-server) into .vscode-test/, first run only"
bash scripts/install-test-host.sh
echo "[inkwell] starting VS Code (code-server)"
exec node scripts/serve.mjs "$@"
