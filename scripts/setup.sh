#!/usr/bin/env bash
# Installs everything the tests and the benchmark need on a fresh Debian machine with Node and npm:
# redis-server/redis-cli/redis-benchmark (the oracle and the clients), openssl (the TLS tests'
# certificates), then the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null || ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools openssl >/dev/null
fi
# Debian's package starts a redis-server on 6379 where an init system runs; the tests never use it.

# corepack's signature check fails on some machines, so pnpm comes from the npm registry.
npx -y pnpm@10.34.9 install --frozen-lockfile
