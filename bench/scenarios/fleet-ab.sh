#!/usr/bin/env bash
# What the load generator itself costs: the fleet's CPU per acknowledged frame against the bare sink, the LoadGen
# of a base commit (A) against this tree's (B), interleaved A B A B ... in one run, medians per side. The same sink
# (this tree's) answers both. Loopback only, every step bounded, every process stopped by its pid.
#
#   bench/scenarios/fleet-ab.sh                         base = main, 3 rounds, 2,000 terminals at 10,000 frames/s, 15 s
#   bench/scenarios/fleet-ab.sh --base 5af3c76 --rounds 5 --terminals 5000 --rate 20000 --duration 20
#
# Fleet CPU is the whole process (user + system, from wait4 of the fleet) over the whole run divided by the frames
# it had acknowledged; the sink's is /proc/<sink pid>/stat before and after each run over the same frames.
set -euo pipefail
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/../.." && pwd)"
cd "$repo"
base=main; rounds=3; terminals=2000; rate=10000; duration=15
port="${INGEST_SCEN_PORT_BASE:-24000}"; port=$((port + 11))
while [ $# -gt 0 ]; do
    case "$1" in
        --base) base="$2"; shift ;;
        --rounds) rounds="$2"; shift ;;
        --terminals) terminals="$2"; shift ;;
        --rate) rate="$2"; shift ;;
        --duration) duration="$2"; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
work="$repo/var/fleet-ab/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$work/base-src"
sink_pid=""
cleanup() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work/base-src"; }
trap cleanup EXIT

base_commit="$(git rev-parse --short "$base")"
echo "building LoadGen of $base ($base_commit) and of this tree" >&2
git archive "$base" | tar -x -C "$work/base-src"
timeout 900 dotnet build "$work/base-src/bench/LoadGen" -c Release -v q -nologo -o "$work/base-bin" >"$work/build-base.log" 2>&1 || { tail -20 "$work/build-base.log"; exit 1; }
timeout 900 dotnet build bench/LoadGen -c Release -v q -nologo >"$work/build-new.log" 2>&1 || { tail -20 "$work/build-new.log"; exit 1; }
new_bin="$repo/bench/LoadGen/bin/Release/net10.0/LoadGen"
old_bin="$work/base-bin/LoadGen"

"$new_bin" sink --listen "127.0.0.1:$port" --duration 2h -q >"$work/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
sink_ticks() { awk '{print $14 + $15}' "/proc/$sink_pid/stat"; }
interval_ms=$(( terminals * 1000 / rate ))
: >"$work/runs.jsonl"
for round in $(seq 1 "$rounds"); do
    for side in base new; do
        bin=$old_bin; [ "$side" = new ] && bin=$new_bin
        s0=$(sink_ticks)
        python3 "$script_dir/scen.py" rusage --out "$work/$side-$round.json" -- timeout $((duration + 120)) "$bin" fleet -t "127.0.0.1:$port" \
            -n "$terminals" --interval "${interval_ms}ms" --ramp 2500 --duration "${duration}s" --seed 3000 --sources 127.0.0.30 --json -q \
            >"$work/$side-$round.rusage.json" 2>"$work/$side-$round.err" || true
        s1=$(sink_ticks)
        python3 "$script_dir/scen.py" abrow --side "$side" --round "$round" --fleet "$work/$side-$round.json" \
            --rusage "$work/$side-$round.rusage.json" --sink-cpu-s "$(python3 -c "print(($s1 - $s0) / $(getconf CLK_TCK))")" \
            --duration "$duration" | tee -a "$work/runs.jsonl" >&2
    done
done
python3 "$script_dir/scen.py" abtable --runs "$work/runs.jsonl" --title "Fleet cost A/B: LoadGen $base_commit (base) vs this tree, $terminals terminals at $rate frames/s offered, $duration s, $rounds rounds interleaved; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw data: $work" >&2
