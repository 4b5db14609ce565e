#!/usr/bin/env bash
# Builds and runs Examples/GenerateDigits, a package that depends on Paradiffuse by path and imports Paradiffuse
# only, in an empty folder; fails unless it writes its four images.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT

echo "== example package: Examples/GenerateDigits"
swift build --package-path "$root/Examples/GenerateDigits" 2>&1 | tail -1
binary=$(swift build --package-path "$root/Examples/GenerateDigits" --show-bin-path)/GenerateDigits
(cd "$output" && "$binary" | tail -1)
for index in 0 1 2 3; do
  [ -s "$output/seven-$index.png" ] || { echo "error: the example wrote no seven-$index.png" >&2; exit 1; }
done
echo "== example package: wrote seven-0.png … seven-3.png"
