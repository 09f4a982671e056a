#!/usr/bin/env bash
# The API protos pass `buf lint` (rules and reasoned exceptions in /buf.yaml), and buf can
# build the whole module (every import resolves).
set -euo pipefail
SOURCE_DIR="${MODELPRESS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
BUF="$SOURCE_DIR/tests/e2e/node_modules/.bin/buf"
cd "$SOURCE_DIR"
"$BUF" lint
"$BUF" build -o /dev/null
echo "buf lint: passed"
