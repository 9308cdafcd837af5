#!/usr/bin/env bash
# Runs the import benchmark (core/benches/import.rs) and prints, from criterion's estimates,
# the mean and the median time of the raw csv read and of jxjy_core::check, rows/s for each,
# and their ratio (the median is less swayed by a noisy neighbour on a shared machine).
# Target: check/raw <= 2.00 (issue 12).
#
# Usage: scripts/bench-import.sh [extra criterion args…]   (e.g. --noplot)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

cargo bench -p jxjy-core --bench import -- "$@"

target="${CARGO_TARGET_DIR:-$root/target}"
dir="$target/criterion/import"
rows=100000

python3 - "$dir" "$rows" <<'PY'
import json, sys
d, rows = sys.argv[1], int(sys.argv[2])
def estimate(name, stat):
    with open(f"{d}/{name}/new/estimates.json") as f:
        return json.load(f)[stat]["point_estimate"]
for stat in ("mean", "median"):
    raw = estimate("csv_byterecord_read", stat)
    chk = estimate("jxjy_check", stat)
    print(f"{stat}:")
    for label, ns in (("csv ByteRecord read", raw), ("jxjy_core::check", chk)):
        print(f"  {label:<20} {ns / 1e6:10.2f} ms   {rows / (ns / 1e9):14,.0f} rows/s")
    ratio = chk / raw
    print(f"  ratio check/raw      {ratio:10.2f}x   (target <= 2.00x: {'met' if ratio <= 2 else 'NOT met'})")
PY
