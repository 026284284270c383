#!/usr/bin/env bash
# History rerun at scale (issue 7's 100 M target): MONTHS months of PER_MONTH contacts each
# (default 10 × 10,000,000 = 100 M, the months up to 2026-10), generated one month at a time with `cseval sample` and
# converted to monthly Parquet partitions with `cseval convert` (the CSV is deleted after
# conversion: 10 M contacts are 1.7 GB of CSV, 0.25 GB of Parquet). Then times one
# `cseval run --from … --to …` over every partition (one report per month, each month
# seeing the previous ones as history), printing wall time and peak RSS.
# Not part of `cargo test`.
#   bench/history.sh [MONTHS] [PER_MONTH]
set -euo pipefail
MONTHS=${1:-10}
PER=${2:-10000000}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cseval-target}"
cargo build --release --locked -q
BIN="$CARGO_TARGET_DIR/release/cseval"
CONTRACT=report-templates/contracts/express-courier.toml
WORK="${BENCH_DIR:-/tmp/cseval-bench}/history-${MONTHS}x${PER}"
mkdir -p "$WORK/pq"
calls=() surveys=()
for i in $(seq 1 "$MONTHS"); do
  m=$(date -u -d "2026-11-01 -$((MONTHS - i + 1)) month" +%Y-%m)
  if [ ! -d "$WORK/pq/$m" ]; then
    "$BIN" sample -q --out "$WORK/csv-$m" --months 1 --start "$m" --contacts-per-month "$PER" --seed "$i"
    "$BIN" convert -q --contract "$CONTRACT" --calls "$WORK/csv-$m/contacts" \
      --surveys "$WORK/csv-$m/surveys" --out "$WORK/pq-tmp-$m" --force >/dev/null
    mv "$WORK/pq-tmp-$m" "$WORK/pq/$m"
    rm -rf "$WORK/csv-$m"
  fi
  calls+=(--calls "$WORK/pq/$m/contacts")
  surveys+=(--surveys "$WORK/pq/$m/surveys")
  [ "$i" = 1 ] && first=$m
  last=$m
done
to=$(date -u -d "$last-01 +1 month" +%Y-%m-%d)
echo "input: $MONTHS monthly partitions of $PER contacts ($(du -sh "$WORK/pq" | cut -f1) of Parquet)"
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" run -q --contract "$CONTRACT" \
  "${calls[@]}" "${surveys[@]}" --from "$first-01" --to "$to" --out "$WORK/reports" --force >/dev/null
read -r secs kb < "$WORK/time.txt"
printf 'cseval run over %s months: %.2f s, %d MB peak RSS, %s reports\n' "$MONTHS" "$secs" \
  "$((kb / 1024))" "$(ls "$WORK/reports" | wc -l)"
