#!/usr/bin/env bash
# Times `jxjy build` beside Hugo building the same generated Chinese markdown (100, 1,000 and
# 10,000 pages), in one run, best of 3 each. Needs target/release/jxjy and `hugo` (Debian's package;
# installed here if missing). Usage: scripts/bench-build.sh [sizes…]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hugo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >&2; }
[ -x target/release/jxjy ] || cargo build --release -p jxjy-site
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
best() { # best wall time in ms of 3 runs of "$@"
  local b=999999999 s e
  for _ in 1 2 3; do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N)
    b=$(( (e - s) / 1000000 < b ? (e - s) / 1000000 : b ))
  done
  echo "$b"
}
printf '%8s %12s %12s %10s %14s\n' pages "jxjy ms" "hugo ms" "hugo/jxjy" "jxjy ms/page"
for n in "${@:-100 1000 10000}"; do
  for size in $n; do
    python3 scripts/gen-bench-site.py "$size" "$work/$size"
    j=$(best ./target/release/jxjy build --content "$work/$size/jxjy" --out "$work/$size/out-jxjy")
    h=$(best hugo --quiet --source "$work/$size/hugo" --destination "$work/$size/out-hugo")
    pages=$(find "$work/$size/out-jxjy" -name index.html | wc -l)
    python3 -c "import sys; n,j,h=map(int,sys.argv[1:]); print(f'{n:8d} {j:12d} {h:12d} {h/max(j,1):10.2f} {j/n:14.3f}')" "$size" "$j" "$h"
    [ "$pages" -ge "$size" ] || { echo "jxjy built only $pages pages" >&2; exit 1; }
  done
done
