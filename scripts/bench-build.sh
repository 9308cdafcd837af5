#!/usr/bin/env bash
# `jxjy build` beside Hugo on the same generated Chinese policy pages, in one paired run: for each
# of RUNS rounds, a fresh build by jxjy then by Hugo (output folder removed first), each timed by
# /usr/bin/time (user CPU, system CPU, wall, peak resident memory); the medians are printed with
# jxjy/Hugo ratios. Then an unchanged rebuild of each (output kept): jxjy says how many files it
# wrote, and the script counts files whose modification time moved.
#
# Pages come from the shared corpus generator (../shared/bench/gen_corpus.py, the same pages for
# jxjy, Hugo and Zola) when it is there, else from scripts/gen-bench-site.py.
# Needs target/release/jxjy (built if missing) and `hugo` (Debian's package; installed if missing).
# With JXJY_BEFORE=/path/to/an/older/jxjy, that binary is timed in the same rounds too (before/after
# in one run).
# Usage: scripts/bench-build.sh [PAGES=10000] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-10000}
runs=${2:-5}
command -v hugo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >&2; }
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2; }
[ -x target/release/jxjy ] || cargo build --release -p jxjy-site
jxjy=$PWD/target/release/jxjy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -f ../shared/bench/gen_corpus.py ]; then
  python3 ../shared/bench/gen_corpus.py "$pages" "$work/corpus" content/2020/policy.toml >/dev/null
  corpus="shared corpus (../shared/bench/gen_corpus.py)"
else
  python3 scripts/gen-bench-site.py "$pages" "$work/corpus"
  corpus="scripts/gen-bench-site.py"
fi
jsrc=$work/corpus/jxjy
hsrc=$work/corpus/hugo

# timed NAME CMD…: appends "user sys wall maxrss_kb" to $work/NAME.times
timed() {
  local name=$1; shift
  /usr/bin/time -o "$work/t" -f "%U %S %e %M" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; echo "failed: $*" >&2; exit 1; }
  cat "$work/t" >>"$work/$name.times"
}

for ((r = 1; r <= runs; r++)); do
  rm -rf "$work/out-jxjy" "$work/out-hugo" "$work/out-before"
  timed jxjy "$jxjy" build --content "$jsrc" --out "$work/out-jxjy" --base-url /
  if [ -n "${JXJY_BEFORE:-}" ]; then
    timed before "$JXJY_BEFORE" build --content "$jsrc" --out "$work/out-before" --base-url /
  fi
  timed hugo hugo --quiet --source "$hsrc" --destination "$work/out-hugo"
done
built=$(find "$work/out-jxjy" -name index.html | wc -l)
[ "$built" -ge "$pages" ] || { echo "jxjy built only $built pages" >&2; exit 1; }

# Unchanged rebuilds: the output of the last round kept.
stamp=$work/stamp
touch "$stamp"
sleep 1
timed jxjy-again "$jxjy" build --content "$jsrc" --out "$work/out-jxjy" --base-url /
jxjy_said=$(grep -o '写入 [0-9]*' "$work/log" || true)
jxjy_moved=$(find "$work/out-jxjy" -type f -newer "$stamp" | wc -l)
if [ -n "${JXJY_BEFORE:-}" ]; then
  touch "$stamp"; sleep 1
  timed before-again "$JXJY_BEFORE" build --content "$jsrc" --out "$work/out-before" --base-url /
  before_moved=$(find "$work/out-before" -type f -newer "$stamp" | wc -l)
fi
touch "$stamp"; sleep 1
timed hugo-again hugo --quiet --source "$hsrc" --destination "$work/out-hugo"
hugo_moved=$(find "$work/out-hugo" -type f -newer "$stamp" | wc -l)

python3 - "$work" "$pages" "$runs" "$corpus" "$jxjy_said" "$jxjy_moved" "$hugo_moved" "$(hugo version | head -1)" "${before_moved:-}" <<'EOF'
import os, statistics, sys
work, pages, runs, corpus, said, jmoved, hmoved, hugo, bmoved = sys.argv[1:]
def load(name):
    rows = [list(map(float, l.split())) for l in open(f"{work}/{name}.times")]
    return [statistics.median(col) for col in zip(*rows)]
j, h = load("jxjy"), load("hugo")
ja, ha = load("jxjy-again"), load("hugo-again")
print(f"{pages} pages, {corpus}; median of {runs} paired fresh builds; {hugo}")
print(f"{'':22}{'jxjy':>10}{'hugo':>10}{'jxjy/hugo':>11}")
names = ["user CPU (s)", "system CPU (s)", "wall (s)", "peak memory (MiB)"]
for i, name in enumerate(names):
    a, b = (j[i], h[i]) if i < 3 else (j[i] / 1024, h[i] / 1024)
    print(f"{name:22}{a:10.2f}{b:10.2f}{a / b if b else float('nan'):11.2f}")
if os.path.exists(f"{work}/before.times"):
    b = load("before")
    print(f"{'':22}{'before':>10}{'jxjy/before':>12}")
    for i, name in enumerate(names):
        a, o = (j[i], b[i]) if i < 3 else (j[i] / 1024, b[i] / 1024)
        print(f"{name:22}{o:10.2f}{a / o if o else float('nan'):12.2f}")
print("unchanged rebuild (output kept):")
again = [("jxjy", ja, jmoved), ("hugo", ha, hmoved)]
if bmoved:
    again.insert(1, ("before", load("before-again"), bmoved))
for name, r, moved in again:
    print(f"  {name}: user {r[0]:.2f} s, system {r[1]:.2f} s, wall {r[2]:.2f} s, peak {r[3] / 1024:.0f} MiB; files rewritten: {moved}")
print(f"  jxjy reported: {said or '?'}")
EOF
