#!/usr/bin/env bash
# Lighthouse (mobile preset) on every page of the built site: prints the four scores per page.
# Not part of CI (slow, and scores move with machine load). Installs lighthouse@12.2.3 into .tools/
# (later versions want Node 22). Usage: scripts/lighthouse.sh [outdir]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${1:-target/lighthouse}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -x .tools/node_modules/.bin/lighthouse ]; then
  echo "lighthouse.sh: installing lighthouse@12.2.3 into .tools/" >&2
  npm install --prefix .tools --no-audit --no-fund --silent lighthouse@12.2.3 >&2
fi
BIN=${JXJY_BIN:-target/release/jxjy}
SITE=$(mktemp -d)
"$BIN" build --content content --out "$SITE/public" --base-url / >/dev/null 2>&1
PORT=${PORT:-8765}
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE/public" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$SITE"' EXIT
sleep 1
export CHROME_PATH=${CHROMIUM:-/usr/bin/chromium}
printf '%-10s %12s %14s %14s %5s\n' page performance accessibility best-practices seo
for p in "" notice/ quota/ faq/ check/; do
  name=${p%/}; name=${name:-home}
  .tools/node_modules/.bin/lighthouse "http://127.0.0.1:$PORT/$p" --quiet --output=json --output-path="$OUT/$name.json" \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    >/dev/null 2>&1 || { echo "$name: lighthouse failed" >&2; continue; }
  node -e '
    const r = require(process.argv[1]);
    const s = (k) => Math.round(r.categories[k].score * 100);
    console.log(process.argv[2].padEnd(10), String(s("performance")).padStart(12), String(s("accessibility")).padStart(14),
      String(s("best-practices")).padStart(14), String(s("seo")).padStart(5));' "$OUT/$name.json" "$name"
done
