#!/usr/bin/env bash
# XLSX ingest against calamine alone (issue 7): writes N synthetic contacts (default
# 1,000,000) as a workbook, then times reading every cell with calamine's streaming reader
# (examples/calamine_read.rs) and `cseval validate` on the same file, and prints the ratio.
# The two are timed in ROUNDS rounds (default 3), one run of each per round, so that a drift
# in the machine's speed reaches both alike; the ratio is that of the median times (each
# round's own ratio is printed too). Not part of `cargo test`.
#   [ROUNDS=3] bench/xlsx.sh [N]
set -euo pipefail
N=${1:-1000000}
ROUNDS=${ROUNDS:-3}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cseval-target}"
cargo build --release --locked -q --bin cseval --example calamine_read --example csv_to_xlsx
BIN="$CARGO_TARGET_DIR/release/cseval"
EX="$CARGO_TARGET_DIR/release/examples"
WORK="${BENCH_DIR:-/tmp/cseval-bench}/$N"
mkdir -p "$WORK"
CSV="$WORK/contacts/contacts-2026-10.csv"
[ -f "$CSV" ] || "$BIN" sample --out "$WORK" --months 1 --start 2026-10 --contacts-per-month "$N" >/dev/null
XLSX="$WORK/contacts-2026-10.xlsx"
[ -f "$XLSX" ] || "$EX/csv_to_xlsx" "$CSV" "$XLSX"
echo "input: $XLSX ($(du -h "$XLSX" | cut -f1), $N contacts)"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt"; exit 1; }
  read -r secs kb < "$WORK/time.txt"
  printf '%-28s %8.2f s  %6d MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs" >> "$WORK/$label.runs"
}
rm -f "$WORK/calamine.runs" "$WORK/cseval-xlsx.runs"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  measure calamine "$EX/calamine_read" "$XLSX"
  measure cseval-xlsx "$BIN" validate -q --contract report-templates/contracts/express-courier.toml --calls "$XLSX"
done
python3 - "$WORK" <<'PY'
import statistics, sys
work = sys.argv[1]
a, b = ([float(l) for l in open(f"{work}/{k}.runs")] for k in ("cseval-xlsx", "calamine"))
for i, (x, y) in enumerate(zip(a, b)):
    print(f"round {i + 1}: cseval validate / calamine read = {x / y:.2f}")
print(f"medians: calamine {statistics.median(b):.2f} s, cseval {statistics.median(a):.2f} s")
print(f"cseval validate / calamine read = {statistics.median(a) / statistics.median(b):.2f}")
PY
