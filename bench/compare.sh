#!/usr/bin/env bash
# cseval against DuckDB SQL and pandas on the same canonical CSV (issue 7's harness).
# Generates N contacts in one month with `cseval sample` (default 1,000,000), then times
#   cseval run (full report: workbook, HTML, charts, metrics.json),
#   DuckDB (bench/kpis.sql: the core KPIs only),
#   pandas (bench/kpis_pandas.py: the same core KPIs),
# printing wall time and peak RSS and the ratios, and checks that DuckDB and cseval agree on
# the per-channel figures, and (untimed, bench/repeat.sql) that the repeat-contact and
# call-back counts written again in SQL are cseval's. DuckDB and pandas come from PyPI into
# bench/.venv (created here).
# The tools are timed in ROUNDS rounds (default 3), one run of each per round, so that a
# drift in the machine's speed reaches every tool alike; the ratios are those of the median
# times (each round's own ratios are printed too).
# Not part of `cargo test`.
#   [ROUNDS=3] [SETTLE=45] bench/compare.sh [N]
set -euo pipefail
N=${1:-1000000}
ROUNDS=${ROUNDS:-3}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cseval-target}"
cargo build --release --locked -q
BIN="$CARGO_TARGET_DIR/release/cseval"
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb pandas
fi
WORK="${BENCH_DIR:-/tmp/cseval-bench}/$N"
mkdir -p "$WORK"
CSV="$WORK/contacts/contacts-2026-10.csv"
[ -f "$CSV" ] || "$BIN" sample --out "$WORK" --months 1 --start 2026-10 --contacts-per-month "$N" >/dev/null
echo "input: $CSV ($(du -h "$CSV" | cut -f1), $N contacts)"
# Every tool reads the inputs from the page cache: the first one timed would otherwise pay
# for the disk alone. They are read again before each run, since the kernel may page out
# a file left unread while another tool runs (this machine's DAMON reclaim drops a few
# percent of a 1.7 GB file within a minute).
warm() { cat "$WORK"/contacts/* "$WORK"/surveys/* > /dev/null; [ ! -d "$WORK/parquet" ] || cat "$WORK"/parquet/*/* > /dev/null 2>&1 || true; }

# Time the machine's virtual CPUs were kept waiting by its host ("steal", /proc/stat, in
# hundredths of a second; 0 where there is no such count). On a shared virtual machine it
# varies from nothing to several seconds a run and lengthens whichever tool runs then: the
# rounds print it, so that a round's ratio can be read with it. Each run's CPU time (user +
# system) is printed too, with the share of the machine's cores it kept busy: a tool can
# lose on wall time by the work it does or by the cores it leaves idle; and its minor page
# faults, the fresh pages it touched (on a guest whose free memory goes back to its host,
# each costs a fault in the host too: BENCHMARKS.md, session 30).
steal() { awk '/^cpu /{print $9; exit}' /proc/stat 2>/dev/null || echo 0; }

measure() { # label, command...
  local label=$1; shift
  warm
  local s0; s0=$(steal)
  /usr/bin/time -f "%e %M %U %S %R" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt"; exit 1; }
  local stolen=$(( $(steal) - s0 ))
  read -r secs kb user sys faults < "$WORK/time.txt"
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%-28s %8.2f s  %6d MB peak RSS  CPU %6.2f s (%3.0f %% of the cores)  %5d k page faults  (steal %d.%02d s)\n' \
    "$label" "$secs" "$((kb / 1024))" "$cpu" "$(awk -v c="$cpu" -v w="$secs" -v n="$(nproc)" 'BEGIN { print 100 * c / (w * n) }')" \
    $((faults / 1000)) $((stolen / 100)) $((stolen % 100))
  echo "$secs $((kb / 1024)) $stolen $cpu" >> "$WORK/$label.runs"
}
rm -f "$WORK"/*.runs

# pandas (7.7 GB) and the conversion (5.2 GB) free several times the memory the other tools
# take. This machine's balloon then hands the freed memory back to its host, and the run
# that follows pays for it: 0.3-0.6 s of steal in every round for cseval, which always came
# right after pandas, against 0.01-0.07 s for DuckDB (BENCHMARKS.md, sessions 30-31). So
# that no tool pays for another's memory, the run after each of them starts SETTLE seconds
# later (default 45; after 45 s the steal was gone).
SETTLE=${SETTLE:-45}
settle() { sleep "$SETTLE"; }

mkdir -p "$WORK/duckdb" "$WORK/pandas"
sed -e "s|CSV_PATH|$CSV|" -e "s|OUT_DIR|$WORK/duckdb|g" bench/kpis.sql > "$WORK/kpis.sql"
# History reruns: the same month converted once to Parquet, then the report from Parquet.
measure convert "$BIN" convert -q --contract report-templates/contracts/express-courier.toml \
  --calls "$WORK/contacts" --surveys "$WORK/surveys" --out "$WORK/parquet" --force
settle
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  measure cseval "$BIN" run -q --contract report-templates/contracts/express-courier.toml \
    --calls "$WORK/contacts" --surveys "$WORK/surveys" --out "$WORK/report" --force
  measure cseval-parquet "$BIN" run -q --contract report-templates/contracts/express-courier.toml \
    --calls "$WORK/parquet/contacts" --surveys "$WORK/parquet/surveys" --out "$WORK/report-pq" --force
  measure duckdb "$VENV/bin/python" -c "import duckdb,sys; duckdb.connect().execute(open(sys.argv[1]).read())" "$WORK/kpis.sql"
  measure pandas "$VENV/bin/python" bench/kpis_pandas.py "$CSV" "$WORK/pandas"
  [ "$round" = "$ROUNDS" ] || settle
done
# The repeat and call-back counts from their definitions in SQL, once and untimed: the
# period is the month `cseval sample --start 2026-10` generates.
sed -e "s|CSV_PATH|$CSV|" -e "s|OUT_DIR|$WORK/duckdb|g" -e "s|PERIOD_START|2026-10-01 00:00:00|" \
  -e "s|PERIOD_END|2026-11-01 00:00:00|" bench/repeat.sql > "$WORK/repeat.sql"
"$VENV/bin/python" -c "import duckdb,sys; duckdb.connect().execute(open(sys.argv[1]).read())" "$WORK/repeat.sql"
"$VENV/bin/python" - "$WORK" <<'PY'
import csv, json, statistics, sys
work = sys.argv[1]
runs = {k: [tuple(map(float, l.split())) for l in open(f"{work}/{k}.runs")]
        for k in ("cseval", "cseval-parquet", "duckdb", "pandas")}
for i in range(len(runs["cseval"])):
    r = {k: v[i][0] for k, v in runs.items()}
    st = {k: v[i][2] / 100 for k, v in runs.items()}
    c = {k: v[i][3] for k, v in runs.items()}
    print(f"round {i + 1}: cseval / duckdb = {r['cseval'] / r['duckdb']:.2f}   pandas / cseval = {r['pandas'] / r['cseval']:.2f}"
          f"   CPU: cseval / duckdb = {c['cseval'] / c['duckdb']:.2f}"
          f"   (steal: cseval {st['cseval']:.2f} s, duckdb {st['duckdb']:.2f} s)")
print("median of the rounds:")
for k, v in runs.items():
    print(f"  {k:<26} {statistics.median(x[0] for x in v):8.2f} s  {max(x[1] for x in v):6.0f} MB peak RSS (largest)"
          f"  CPU {statistics.median(x[3] for x in v):6.2f} s (user + system)")
secs = {k: statistics.median(x[0] for x in v) for k, v in runs.items()}
cpu = {k: statistics.median(x[3] for x in v) for k, v in runs.items()}
print(f"CPU time: cseval / duckdb = {cpu['cseval'] / cpu['duckdb']:.2f} (the wall-time ratio is the target's;"
      f" the CPU ratio says how much of it is work, how much cores left idle)")
print(f"cseval / duckdb = {secs['cseval'] / secs['duckdb']:.2f}   pandas / cseval = {secs['pandas'] / secs['cseval']:.2f}")
print(f"from Parquet: cseval / duckdb = {secs['cseval-parquet'] / secs['duckdb']:.2f}   pandas / cseval = {secs['pandas'] / secs['cseval-parquet']:.2f}")
a, b = (json.load(open(f"{work}/{d}/metrics.json")) for d in ("report", "report-pq"))
# Converted Parquet holds no caller (not even hashed): from it the figures that follow
# callers are null by design, so they are left out of the comparison (and said so).
FOLLOW = ("repeat_fcr_rate", "repeat_contact_rate", "repeat_within_rate",
          "callback_rate", "callback_mean_seconds", "true_abandon_rate")
for d in (a, b):
    for k in FOLLOW:
        d["overall"].pop(k, None)
same = all(a[k] == b[k] for k in ("overall", "channels", "topics", "complaint_types", "agents", "daily", "scorecard"))
print("report from Parquet: same figures as from CSV" if same else "MISMATCH between the CSV and Parquet reports")
if a.get("repeat") and not b.get("repeat"):
    print("  (repeat and call-back figures: from the CSV only; Parquet holds no caller)")
m = json.load(open(f"{work}/report/metrics.json"))
bad = 0
for row in csv.DictReader(open(f"{work}/duckdb/channels.csv")):
    ch = m["channels"][row["channel"]]
    for key, ours in [("contacts", ch["contacts"]), ("answered", ch["answered"]), ("asa_seconds", ch["asa_seconds"]),
                      ("p50", ch["response_p50_seconds"]), ("p90", ch["response_p90_seconds"]),
                      ("resolution_rate", ch["resolution_rate"])]:
        theirs = float(row[key])
        if abs(float(ours) - theirs) > 1e-6 * max(1.0, abs(theirs)):
            print(f"MISMATCH {row['channel']} {key}: cseval {ours} duckdb {theirs}"); bad += 1
print("per-channel figures: cseval and DuckDB agree" if bad == 0 else f"{bad} mismatches")
# Repeat contacts and call-backs: every count, each agent's repeats within the window and
# the mean call-back time, against bench/repeat.sql's.
rep, bad = m["repeat"], 0
sql = next(csv.DictReader(open(f"{work}/duckdb/repeat.csv")))
cb = next(csv.DictReader(open(f"{work}/duckdb/callbacks.csv")))
pairs = [(k, rep[k], int(v)) for k, v in sql.items()]
pairs += [(f"callbacks.{k}", rep["callbacks"][k], int(v)) for k, v in cb.items() if k != "delay_ms"]
mean = int(cb["delay_ms"] or 0) / int(cb["called_back"]) / 1000 if int(cb["called_back"]) else None
pairs.append(("callbacks.callback_mean_seconds", rep["callbacks"]["callback_mean_seconds"], mean))
ours = {a["agent_id"]: (a["answered"], a["repeated_within"]) for a in rep["agents"]}
theirs = {r["agent_id"]: (int(r["answered"]), int(r["repeated_within"]))
          for r in csv.DictReader(open(f"{work}/duckdb/repeat_agents.csv"))}
pairs.append(("agents", ours, theirs))
for key, a, b in pairs:
    same = a == b if not isinstance(b, float) else a is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if not same:
        print(f"MISMATCH repeat {key}: cseval {a} SQL {b}"); bad += 1
print(f"repeat and call-back counts: cseval and bench/repeat.sql agree ({rep['answered']} answered, "
      f"{rep['callbacks']['abandoned']} abandoned)" if bad == 0 else f"{bad} repeat mismatches")
PY
