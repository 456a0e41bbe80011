#!/usr/bin/env bash
# Sets up a fresh machine: Java 17 for DynamoDB Local, Chromium (the HTML report's test opens it
# headless), pnpm, and the workspace's dependencies (which bring Node 22 as an npm package, so an
# older system Node is fine).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "setup: installing Java 17 (DynamoDB Local runs on it)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Chromium (the HTML report's test opens it headless)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# cfn-lint: the deploy tests lint the packaged CloudFormation templates; moto: an AWS API server
# (SSM, S3, ...) for tests of code against AWS services the embedded stack does not serve.
PIP_PACKAGES=()
command -v cfn-lint >/dev/null 2>&1 || PIP_PACKAGES+=("cfn-lint")
command -v moto_server >/dev/null 2>&1 || PIP_PACKAGES+=("moto[server]")
if [ "${#PIP_PACKAGES[@]}" -gt 0 ]; then
  echo "setup: installing ${PIP_PACKAGES[*]} (pip)"
  if command -v pip3 >/dev/null 2>&1; then PIP=pip3; elif command -v pip >/dev/null 2>&1; then PIP=pip; else
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >/dev/null
    PIP=pip3
  fi
  # --user where the system Python is externally managed (PEP 668) and we are not root.
  $PIP install --quiet "${PIP_PACKAGES[@]}" 2>/dev/null || $PIP install --quiet --user "${PIP_PACKAGES[@]}" \
    || $PIP install --quiet --break-system-packages "${PIP_PACKAGES[@]}"
  hash -r
  export PATH="$HOME/.local/bin:$PATH"
  command -v cfn-lint >/dev/null 2>&1 || echo "setup: cfn-lint is installed but not on PATH: add \$HOME/.local/bin to PATH"
fi

PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --silent
fi

pnpm install --frozen-lockfile

# The built `books` executable (scripts/books runs it, and rebuilds it when a source changes).
pnpm run --silent build:cli
echo "setup: done (node $(pnpm exec node --version) for every pnpm script)"
