#!/usr/bin/env bash
# Compiles the C kernels for aarch64 Linux (clang's cross target, Debian's arm64 C headers), so code for one
# instruction set never leaks out of its guards: the portable paths must build on any architecture.
set -euo pipefail
cd "$(dirname "$0")/../.."

SYSROOT=/usr/aarch64-linux-gnu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ! -f "$SYSROOT/include/stdlib.h" ]; then
  echo "Installing Debian's libc6-dev-arm64-cross (aarch64 C headers) for the portable build check"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libc6-dev-arm64-cross >/dev/null
fi
CLANG=$(command -v clang)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for source in Sources/CKernels/*.c; do
  "$CLANG" -std=gnu11 -O2 -Wall -Wextra -Werror -target aarch64-linux-gnu --sysroot="$SYSROOT" \
    -isystem "$SYSROOT/include" -ISources/CKernels/include -c "$source" -o "$out/$(basename "$source").o"
done
echo "C kernels build for aarch64 with their portable paths ($(ls "$out" | wc -l) files)"
