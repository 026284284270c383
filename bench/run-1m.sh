#!/usr/bin/env bash
# Benchmark: `cseval run` on N synthetic canonical contacts (default 1,000,000) in one month.
# Not part of `cargo test`. Prints wall time and peak RSS of each step, plus a reference
# measured in the same run (Python's csv module counting the same file's rows per channel),
# so the numbers can be read as ratios on whatever machine runs it.
#
#   bench/run-1m.sh [N]        # data and reports go to $BENCH_DIR (default /tmp/cseval-bench)
set -euo pipefail
N=${1:-1000000}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cseval-target}"
cargo build --release --locked -q
BIN="$CARGO_TARGET_DIR/release/cseval"
WORK="${BENCH_DIR:-/tmp/cseval-bench}/$N"
mkdir -p "$WORK"
CSV="$WORK/contacts/contacts-2026-10.csv"
if [ ! -f "$CSV" ]; then
  "$BIN" sample --out "$WORK" --months 1 --start 2026-10 --contacts-per-month "$N"
fi
echo "input: $CSV ($(du -h "$CSV" | cut -f1), $N contacts + $(($(wc -l < "$WORK/surveys/surveys-2026-10.csv") - 1)) survey responses)"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > /dev/null 2>&1
  read -r secs kb < "$WORK/time.txt"
  printf '%-34s %8.2f s  %8.0f MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs" > "$WORK/$label.secs"
}

measure "reference: python csv count" python3 -c "
import csv, collections, sys
c = collections.Counter(r['channel'] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')))
print(c)" "$CSV"
measure "cseval validate (ingest only)" "$BIN" validate -q --contract report-templates/contracts/express-courier.toml \
  --calls "$WORK/contacts" --surveys "$WORK/surveys"
measure "cseval run (full report)" "$BIN" run -q --contract report-templates/contracts/express-courier.toml \
  --calls "$WORK/contacts" --surveys "$WORK/surveys" --out "$WORK/report" --force
ref=$(cat "$WORK/reference: python csv count.secs")
run=$(cat "$WORK/cseval run (full report).secs")
python3 -c "print(f'full report / python csv count = {float($run)/float($ref):.2f}')"
