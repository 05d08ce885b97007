#!/usr/bin/env bash
# Re-vendors the code editor from the versions pinned in package-lock.json.
# To move to newer CodeMirror: `npm install --save-exact <pkg>@<version>`
# here first, then run this and the browser scenarios.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node vendor.mjs
