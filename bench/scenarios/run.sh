#!/usr/bin/env bash
# Load-test scenarios of the ingest server on one machine, ClickHouse and Redis local, and the limits they are
# compared with (a bare loopback TCP sink: `LoadGen sink`; a bare ClickHouse.Driver insert loop: ChInsertBaseline).
#
#   bench/scenarios/run.sh --quick            small numbers, a few minutes
#   bench/scenarios/run.sh                    full mode (about 35-45 minutes)
#   bench/scenarios/run.sh --only scale,storm  a subset: scale, storm, sustained, half, cpu, reissue, profile (half = ack latency,
#                                              freshness and the ClickHouse baseline; it needs the sustained rate
#                                              or --half-rate N; cpu = goal 2's CPU per frame in two regimes)
#   bench/scenarios/run.sh --no-results       do not append to bench/RESULTS.md (the block is still in the run folder)
#   --rates 5000,6000 --sink-rates 40000,50000 --storm-terminals 5000,19000 --storm-repeats 3   override the mode's steps
#   --outage-length 600s --outage-terminals 500   the reissue scenario's platform outage and fleet size
#
# Every step is bounded (durations, `timeout`), all traffic stays on 127.0.0.0/8, each scenario gets a fresh server
# (own spool folder, own ClickHouse database, own Redis key prefix), and every process the script starts is stopped
# on exit (by its pid). The raw data of a run stays in var/scenarios/<UTC time>/; a dated block with the figures is
# appended to the "Load-test scenarios" section at the end of bench/RESULTS.md.
#
# Environment: INGEST_SCEN_PORT_BASE (default 24000, below the ephemeral port range so that no client socket can take it; ports base..base+10 must be free), ClickHouse and Redis as
# scripts/services.sh has them (INGEST_CH_HTTP_PORT, INGEST_REDIS_PORT; a running instance is reused).
# INGEST_SCEN_METRICS_URL (default <http>/metrics: the server's metrics address when it has its own) and
# INGEST_SCEN_API_KEY (sent with /metrics when set; without it a server that wants a key leaves the server metrics
# out and the results say so). /readyz stays open. The results end with the table of issue 7's goals.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/../.." && pwd)"
cd "$repo"

mode=full
only="scale,storm,sustained,half,cpu,reissue,profile"
write_results=1
half_rate_override=""
profile_rate=""; rates_override=""; sink_rates_override=""; storm_terminals_override=""; storm_repeats_override=""
outage_len_override=""; outage_terminals_override=""
command_line="bench/scenarios/run.sh $*"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) mode=quick ;;
        --full) mode=full ;;
        --only) only="$2"; shift ;;
        --no-results) write_results=0 ;;
        --half-rate) half_rate_override="$2"; shift ;;
        --rates) rates_override="$2"; shift ;;
        --sink-rates) sink_rates_override="$2"; shift ;;
        --storm-terminals) storm_terminals_override="$2"; shift ;;
        --storm-repeats) storm_repeats_override="$2"; shift ;;
        --profile-rate) profile_rate="$2"; shift ;;
        --outage-length) outage_len_override="$2"; shift ;;
        --outage-terminals) outage_terminals_override="$2"; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
wants() { [[ ",$only," == *",$1,"* ]]; }

# ------------------------------------------------------------------------------------------------------ parameters
if [ "$mode" = quick ]; then
    scale_steps=(500 1000 2000)
    scale_hold=8; scale_heartbeat=10s
    storm_sizes=(1000 2500); storm_repeats=1
    sus_terminals=1000; sus_duration=12; sus_rates=(1000 2500)
    sink_rates=(2500 10000)
    half_duration=12; fresh_interval=200ms
    ch_baseline_s=8
    # goal 2 regimes, scaled down: busy = terminals, rate/s, seconds; realistic = terminals, interval, seconds
    cpu_busy=(1000 5000 12); cpu_real=(3000 10s 20)
    profile_variants=("clickhouse,redis,relay" "spool-only")
    outage_terminals=500; outage_interval=1s; outage_pre=6s; outage_len=12s; outage_post=12s; outage_window=00:00:05
else
    scale_steps=(1000 5000 10000 15000 19000)
    scale_hold=20; scale_heartbeat=30s
    storm_sizes=(5000 19000); storm_repeats=3
    sus_terminals=5000; sus_duration=30; sus_rates=(1000 2000 3000 5000 8000 12000 20000 40000 70000 100000)
    sink_rates=(5000 10000 20000 40000 70000 100000)
    half_duration=30; fresh_interval=100ms
    ch_baseline_s=20
    cpu_busy=(2000 10000 30); cpu_real=(15000 10s 60)
    profile_variants=("clickhouse,redis,relay" "redis,relay" "clickhouse,relay" "clickhouse,redis" "spool-only")
    outage_terminals=2000; outage_interval=1s; outage_pre=10s; outage_len=60s; outage_post=40s; outage_window=00:00:30
fi

[ -n "$rates_override" ] && IFS=, read -r -a sus_rates <<<"$rates_override"
[ -n "$sink_rates_override" ] && IFS=, read -r -a sink_rates <<<"$sink_rates_override"
[ -n "$storm_terminals_override" ] && IFS=, read -r -a storm_sizes <<<"$storm_terminals_override"
[ -n "$storm_repeats_override" ] && storm_repeats=$storm_repeats_override
[ -n "$outage_len_override" ] && outage_len=$outage_len_override
[ -n "$outage_terminals_override" ] && outage_terminals=$outage_terminals_override

port_base="${INGEST_SCEN_PORT_BASE:-24000}"
gb_port=$port_base; hj_port=$((port_base + 1)); http_port=$((port_base + 2)); platform_port=$((port_base + 3))
sink_port=$((port_base + 10))
http_url="http://127.0.0.1:$http_port"
# /metrics needs an admin key on the main address; the scenarios scrape it, without a key, on its own address
# (the server's Http:MetricsUrl). INGEST_SCEN_METRICS_URL overrides the URL scraped.
metrics_base="http://127.0.0.1:$((port_base + 4))"
metrics_url="${INGEST_SCEN_METRICS_URL:-$metrics_base/metrics}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
run_dir="$repo/var/scenarios/$stamp"
db_prefix="scen_${stamp//[^0-9]/}"
redis_prefix="scen$stamp"
mkdir -p "$run_dir"
log() { printf '%s scen: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }
started_at=$(date +%s)

release="Release"
ingest_bin="$repo/src/Ingest/bin/$release/net10.0/Ingest"
loadgen_bin="$repo/bench/LoadGen/bin/$release/net10.0/LoadGen"
probe_bin="$repo/bench/scenarios/ScenarioProbe/bin/$release/net10.0/ScenarioProbe"
chbase_bin="$repo/bench/ChInsertBaseline/bin/$release/net10.0/ChInsertBaseline"
scen_py=(python3 "$script_dir/scen.py")

# ------------------------------------------------------------------------------------------------ process tracking
pids=()
track() { pids+=("$1"); }
stop_pid() { # pid [signal] [seconds]
    local pid=$1 sig=${2:-TERM} wait_s=${3:-15} i=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $i -lt $((wait_s * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}
databases=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do stop_pid "$pid" TERM 10; done
    for db in "${databases[@]}"; do
        curl -fsS --max-time 30 "$ch_url/" --data-binary "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    if command -v redis-cli >/dev/null && [ -n "${redis_port:-}" ]; then
        redis-cli -p "$redis_port" --scan --pattern "$redis_prefix:*" 2>/dev/null | xargs -r -n 500 redis-cli -p "$redis_port" del >/dev/null 2>&1 || true
    fi
    rm -rf "$run_dir"/spool-* 2>/dev/null || true
    exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ----------------------------------------------------------------------------------------------------------- setup
# Open files: one process holds at most `ulimit -n` sockets. Try to raise it; say what happened.
nofile_before="$(ulimit -n)"
if ulimit -Hn 1048576 2>/dev/null && ulimit -n 1048576 2>/dev/null; then
    nofile_note="raised from $nofile_before to $(ulimit -n) (ulimit -n)"
elif ulimit -n "$(ulimit -Hn)" 2>/dev/null; then
    nofile_note="ulimit -n is $(ulimit -n) (hard limit $(ulimit -Hn)); raising it failed: 'ulimit -Hn 1048576' is refused without CAP_SYS_RESOURCE, prlimit likewise; fs.nr_open is $(cat /proc/sys/fs/nr_open) but does not help a process whose hard limit is fixed. One process (the server) therefore holds at most about $(( $(ulimit -n) - 300 )) connections"
else
    nofile_note="ulimit -n is $nofile_before"
fi
log "open files: $nofile_note"
max_conn=$(( $(ulimit -n) - 400 ))

for p in $gb_port $hj_port $http_port $platform_port $sink_port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use: set INGEST_SCEN_PORT_BASE" >&2; exit 2; fi
done

log "building Release (once)"
for project in src/Ingest bench/LoadGen bench/scenarios/ScenarioProbe bench/ChInsertBaseline; do
    timeout 600 dotnet build -c "$release" "$project" -v q -nologo >"$run_dir/build.log" 2>&1 || { cat "$run_dir/build.log" >&2; exit 1; }
done

log "services"
if ! scripts/services.sh status >/dev/null 2>&1; then
    timeout 180 scripts/services.sh start || { echo "start ClickHouse and Redis first: scripts/services.sh install && scripts/services.sh start" >&2; exit 1; }
fi
eval "$(scripts/services.sh env)"
ch_url="$INGEST_ClickHouse__Endpoint"
redis_endpoint="$INGEST_Redis__Endpoint"
redis_port="${redis_endpoint##*:}"

git_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench/LoadGen 2>/dev/null || echo '+local changes')"
python3 - "$run_dir/meta.json" <<EOF
import json, os, platform, subprocess, sys
mem = int(open('/proc/meminfo').readline().split()[1]) / 1024 / 1024
model = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
def out(cmd):
    try: return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception: return '?'
json.dump({
  'date': out('date -u "+%Y-%m-%d %H:%M UTC"'), 'mode': '$mode', 'command': '''$command_line''',
  'cores': os.cpu_count(), 'cpu_model': model, 'memory_gb': round(mem, 1), 'kernel': platform.release(),
  'load_at_start': open('/proc/loadavg').read().split()[0:3], 'commit': '$git_commit',
  'dotnet': out('dotnet --version'), 'clickhouse_version': out("curl -fsS '$ch_url/?query=SELECT%20version()'"),
  'redis_version': out("redis-cli -p $redis_port INFO server | grep redis_version | cut -d: -f2"),
  'only': '$only', 'nofile_note': '''$nofile_note''', 'nofile_limit': '$(ulimit -n)', 'run_dir': '$run_dir', 'scale_heartbeat': '$scale_heartbeat',
  'reissue_config': 'Server link settings: MinReconnectDelay 1 s, MaxReconnectDelay 5 s (default 60 s), RealtimeWindow $outage_window (default 30 s).',
}, open(sys.argv[1], 'w'), indent=1)
EOF

# ---------------------------------------------------------------------------------------------------- server control
server_pid=""; sampler_pid=""; extra_samplers=()
server_components="clickhouse,redis,relay"   # what start_server configures; the profile scenario takes parts away
perf_map=0                                   # 1: the runtime writes /tmp/perf-<pid>.map so perf can name JIT code
listener_pid() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
ch_pid="$(listener_pid "${ch_url##*:}")"; redis_pid="$(listener_pid "$redis_port")"
# start_server NAME [extra configuration switches...]: a fresh server with its own spool and database.
start_server() {
    local name=$1; shift
    local db="${db_prefix}_${name//[^a-z0-9]/_}"
    databases+=("$db")
    current_db="$db"
    local spool="$run_dir/spool-$name"
    rm -rf "$spool"
    local components=()
    if [[ ",$server_components," == *",clickhouse,"* ]]; then components+=(--clickhouse "$ch_url" --ClickHouse:Database="$db")
    else components+=(--ClickHouse:Endpoint=); fi
    if [[ ",$server_components," == *",redis,"* ]]; then components+=(--redis "$redis_endpoint" --Redis:KeyPrefix="$redis_prefix")
    else components+=(--Redis:Endpoint=); fi
    if [[ ",$server_components," == *",relay,"* ]]; then
        components+=(--Forwarder:Links:0:Name=nat --Forwarder:Links:0:Host=127.0.0.1 --Forwarder:Links:0:Port=$platform_port
            --Forwarder:Links:0:Username=scen --Forwarder:Links:0:Password=scen --Forwarder:Links:0:PlatformCode=PLATFORM000000001
            --Forwarder:Links:0:Filter:RelayUnfiled=true)
    fi
    # With perf: W^X off, so JIT-compiled code lives in plain anonymous memory that the perf map describes.
    DOTNET_PerfMapEnabled=$perf_map DOTNET_EnableWriteXorExecute=$((1 - perf_map)) "$ingest_bin" serve \
        --Ingest:NodeName=scen \
        --Ingest:Listeners:0:Name=gb32960 --Ingest:Listeners:0:Protocol=Gb32960 --Ingest:Listeners:0:Address=127.0.0.1 --Ingest:Listeners:0:Port=$gb_port \
        --Ingest:Listeners:1:Name=hj1239 --Ingest:Listeners:1:Protocol=Hj1239 --Ingest:Listeners:1:Address=127.0.0.1 --Ingest:Listeners:1:Port=$hj_port \
        --http "$http_url" --Http:MetricsUrl="$metrics_base" --spool-dir "$spool" "${components[@]}" \
        --admission Open --Ingest:RateLimits:Enabled=false \
        --Logging:LogLevel:Default=Warning --Logging:LogLevel:Ingest.Hosting=Information \
        "$@" >"$run_dir/server-$name.log" 2>&1 &
    server_pid=$!
    track "$server_pid"
    local i=0
    until curl -fsS --max-time 1 "$http_url/readyz" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            tail -n 30 "$run_dir/server-$name.log" >&2
            log "server $name did not become ready"; return 1
        fi
        sleep 0.1
    done
    "${scen_py[@]}" sample --pid "$server_pid" --http "$http_url" --metrics --metrics-url "$metrics_url" --out "$run_dir/$name.samples.jsonl" --interval 1 --max-seconds 1800 &
    sampler_pid=$!
    track "$sampler_pid"
    extra_samplers=()
    local svc
    for svc in ch redis; do
        local svc_pid_var="${svc}_pid"
        [ -n "${!svc_pid_var}" ] || continue
        "${scen_py[@]}" sample --pid "${!svc_pid_var}" --out "$run_dir/$name.$svc.samples.jsonl" --interval 1 --max-seconds 1800 &
        extra_samplers+=($!); track $!
    done
    log "server $name up (pid $server_pid, database $db)"
}
stop_server() {
    [ -n "$sampler_pid" ] && stop_pid "$sampler_pid" TERM 3
    local p; for p in "${extra_samplers[@]}"; do stop_pid "$p" TERM 3; done; extra_samplers=()
    [ -n "$server_pid" ] && stop_pid "$server_pid" TERM 30
    [ -n "$server_pid" ] && rm -f "/tmp/perf-$server_pid.map" "/tmp/perfinfo-$server_pid.map"
    server_pid=""; sampler_pid=""
}
drop_database() { curl -fsS --max-time 60 "$ch_url/" --data-binary "DROP DATABASE IF EXISTS $1" >/dev/null 2>&1 || true; }

platform_pid=""
start_platform() { # record-file
    "$loadgen_bin" platform --listen "127.0.0.1:$platform_port" --record "$1" --duration 30m >"$1.log" 2>&1 &
    platform_pid=$!
    track "$platform_pid"
}
sink_pid=""
start_sink() { # name
    "$loadgen_bin" sink --listen "127.0.0.1:$sink_port" --duration 30m -q >"$run_dir/sink-$1.log" 2>&1 &
    sink_pid=$!
    track "$sink_pid"
    local i=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { log "sink did not listen"; return 1; }; sleep 0.1
    done
    "${scen_py[@]}" sample --pid "$sink_pid" --out "$run_dir/sink-$1.samples.jsonl" --interval 1 --max-seconds 1800 &
    sampler_pid=$!
    track "$sampler_pid"
}
stop_sink() {
    [ -n "$sampler_pid" ] && stop_pid "$sampler_pid" TERM 3
    [ -n "$sink_pid" ] && stop_pid "$sink_pid" TERM 10
    sink_pid=""; sampler_pid=""
}
now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }

# ------------------------------------------------------------------------------------ 1. connection scale (idle)
# Idle GB terminals (one realtime frame after login, then heartbeats) added step by step, one fleet process per
# step; at each step the server's RSS and CPU are taken over a hold window. The same steps against the bare sink.
scale_target() { # kind: server|sink
    local kind=$1 port=$2 samples=$3 out="$run_dir/scale/$1.jsonl"
    local total=0 step_index=0 fleet_pids=() prev=0
    : >"$out"
    local budget=$(( ${#scale_steps[@]} * (scale_hold + 60) + 60 ))
    for target in "${scale_steps[@]}"; do
        if [ "$target" -gt "$max_conn" ]; then log "scale: $target terminals exceed the open-file limit: not run"; break; fi
        local add=$((target - prev)); prev=$target
        step_index=$((step_index + 1))
        timeout $((budget + 60)) "$loadgen_bin" fleet -t "127.0.0.1:$port" -n "$add" --protocols gb2016=75,gb2025=25 \
            --interval 1h --heartbeat "$scale_heartbeat" --ramp 2000 --duration "${budget}s" --seed $((1000 + step_index)) \
            --sources "127.0.0.$((10 + step_index))" --max-reconnects 0 --json -q \
            >"$run_dir/scale/$kind-fleet-$step_index.json" 2>"$run_dir/scale/$kind-fleet-$step_index.err" &
        fleet_pids+=($!); track $!
        # Wait until the target holds this many connections (sessions for the server, socket fds for the sink).
        local deadline=$(( $(date +%s) + add / 1000 + 40 ))
        while [ "$(date +%s)" -lt "$deadline" ]; do
            local held
            if [ "$kind" = server ]; then held=$(curl -fsS --max-time 2 "$http_url/readyz" | jq .sessions 2>/dev/null || echo 0)
            else held=$(find "/proc/$sink_pid/fd" -lname 'socket:*' 2>/dev/null | wc -l); fi
            [ "${held:-0}" -ge "$target" ] && break
            sleep 1
        done
        sleep 2
        local t0; t0=$(now); sleep "$scale_hold"; local t1; t1=$(now)
        "${scen_py[@]}" window --samples "$samples" --from "$t0" --to "$t1" | jq -c --argjson target "$target" '. + {target: $target}' >>"$out"
        log "scale $kind $target: $(tail -n 1 "$out")"
    done
    for pid in "${fleet_pids[@]}"; do stop_pid "$pid" TERM 60; done
}
if wants scale; then
    mkdir -p "$run_dir/scale"
    log "1. connection scale: ${scale_steps[*]}"
    start_server scale
    scale_target server "$gb_port" "$run_dir/scale.samples.jsonl"
    stop_server; drop_database "$current_db"
    start_sink scale
    scale_target sink "$sink_port" "$run_dir/sink-scale.samples.jsonl"
    stop_sink
fi

# ---------------------------------------------------------------------------------------------- 2. connect storm
if wants storm; then
    mkdir -p "$run_dir/storm"
    # One probe process holds every terminal of a storm: a size over the open-file limit is not run (and says why).
    plan_sizes=(); not_run_json="{}"
    for n in "${storm_sizes[@]}"; do
        if [ "$n" -gt "$max_conn" ]; then
            not_run_json=$(jq -c --arg n "$n" --arg why "$n terminals exceed the open-file limit of one process ($(ulimit -n), about $max_conn sockets with the runtime's own descriptors)" '. + {($n): $why}' <<<"$not_run_json")
            log "storm: $n terminals: not run (open-file limit)"
        else plan_sizes+=("$n"); fi
    done
    jq -n --argjson sizes "$(printf '%s\n' "${storm_sizes[@]}" | jq -s -c 'map(tonumber)')" --argjson not_run "$not_run_json" \
        '{sizes: $sizes, not_run: $not_run}' >"$run_dir/storm/plan.json"
    log "2. connect storm: ${plan_sizes[*]:-none} terminals x $storm_repeats"
    storm_run() { # kind terminals index probe-args...: the listen-queue counters of the machine are taken around the storm
        local kind=$1 n=$2 i=$3; shift 3
        local before; before=$("${scen_py[@]}" netstat)
        timeout 150 "$probe_bin" storm "$@" --terminals "$n" --timeout 60s --seed $((2000 + i)) --sources 127.0.0.20 \
            >"$run_dir/storm/$kind-$n-$i.raw.json" 2>"$run_dir/storm/$kind-$n-$i.err" || true
        local after; after=$("${scen_py[@]}" netstat)
        jq --argjson b "$before" --argjson a "$after" \
            '. + {listen_overflows: ($a.listen_overflows - $b.listen_overflows), listen_drops: ($a.listen_drops - $b.listen_drops)}' \
            "$run_dir/storm/$kind-$n-$i.raw.json" >"$run_dir/storm/$kind-$n-$i.json" 2>/dev/null || true
    }
    for n in "${plan_sizes[@]}"; do
        for i in $(seq 1 "$storm_repeats"); do
            start_server "storm$n-$i"
            storm_run server "$n" "$i" --target "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port"
            log "storm server $n #$i: $(jq -c '{logins_per_second, seconds_to_all, all_logged_in, errors}' "$run_dir/storm/server-$n-$i.json" 2>/dev/null)"
            stop_server; drop_database "$current_db"
            start_sink "storm$n-$i"
            storm_run sink "$n" "$i" --target "127.0.0.1:$sink_port"
            log "storm sink $n #$i: $(jq -c '{logins_per_second, seconds_to_all, all_logged_in, errors}' "$run_dir/storm/sink-$n-$i.json" 2>/dev/null)"
            stop_sink
        done
    done
fi

# ---------------------------------------------------------------------------------------- 3. sustained throughput
# fleet_step NAME PORT RATE DURATION [extra fleet args...]: N terminals at interval N/RATE.
ramp_rate=2500
fleet_step() {
    local name=$1 port=$2 rate=$3 duration=$4; shift 4
    local interval_ms=$(( sus_terminals * 1000 / rate ))
    [ "$interval_ms" -lt 10 ] && interval_ms=10
    timeout $((duration + 200)) "$loadgen_bin" fleet -t "127.0.0.1:$port" -n "$sus_terminals" --interval "${interval_ms}ms" \
        --ramp "$ramp_rate" --duration "${duration}s" --seed 3000 --sources 127.0.0.30 --json -q "$@" \
        >"$run_dir/$name.fleet.json" 2>"$run_dir/$name.fleet.err" || true
}
best_rate=""
if wants sustained; then
    mkdir -p "$run_dir/sustained"
    ramp_s=$(python3 -c "print($sus_terminals / $ramp_rate)")
    server_steps="[]"
    for rate in "${sus_rates[@]}"; do
        name="sustained/server-$rate"
        start_platform "$run_dir/$name.platform.json"
        start_server "rate$rate"
        t_start=$(now)
        fleet_step "$name" "$gb_port" "$rate" "$sus_duration" --hj1239-target "127.0.0.1:$hj_port" \
            --check-clickhouse "$ch_url" --clickhouse-database "$current_db" \
            --check-platform-record "$run_dir/$name.platform.json" --check-wait 90s
        # Steady window: from the end of the ramp plus two seconds to the end of the load.
        t0=$(python3 -c "print($t_start + $ramp_s + 2)"); t1=$(python3 -c "print($t_start + $sus_duration)")
        "${scen_py[@]}" verdict --samples "$run_dir/rate$rate.samples.jsonl" --fleet "$run_dir/$name.fleet.json" \
            --ch-samples "$run_dir/rate$rate.ch.samples.jsonl" --redis-samples "$run_dir/rate$rate.redis.samples.jsonl" \
            --from "$t0" --to "$t1" --offered "$rate" --duration "$sus_duration" --ramp-seconds "$ramp_s" >"$run_dir/$name.verdict.json" \
            || echo '{"offered_fps": '"$rate"', "acked_fps": 0, "passed": false, "lag": {}, "error": "no verdict"}' >"$run_dir/$name.verdict.json"
        stop_server; stop_pid "$platform_pid" TERM 10; drop_database "$current_db"
        passed=$(jq .passed "$run_dir/$name.verdict.json")
        log "sustained server $rate/s: passed=$passed $(jq -c '{acked_fps, growing, clickhouse: .clickhouse_check.passed, platform: .platform_check.passed, p99: .data_latency.p99Ms}' "$run_dir/$name.verdict.json")"
        server_steps=$(jq -c --slurpfile v "$run_dir/$name.verdict.json" '. + $v' <<<"$server_steps")
        if [ "$passed" = true ]; then best_rate=$rate; else break; fi
    done
    sink_steps="[]"
    for rate in "${sink_rates[@]}"; do
        name="sustained/sink-$rate"
        start_sink "rate$rate"
        t_start=$(now)
        fleet_step "$name" "$sink_port" "$rate" "$sus_duration"
        stop_sink
        t0=$(python3 -c "print($t_start + $ramp_s + 2)"); t1=$(python3 -c "print($t_start + $sus_duration)")
        "${scen_py[@]}" sinkrate --fleet "$run_dir/$name.fleet.json" --offered "$rate" --duration "$sus_duration" --ramp-seconds "$ramp_s" \
            --samples "$run_dir/sink-rate$rate.samples.jsonl" --from "$t0" --to "$t1" \
            >"$run_dir/$name.verdict.json" || echo '{"offered_fps": '"$rate"', "acked_fps": 0, "passed": false}' >"$run_dir/$name.verdict.json"
        log "sustained sink $rate/s: $(cat "$run_dir/$name.verdict.json")"
        sink_steps=$(jq -c --slurpfile v "$run_dir/$name.verdict.json" '. + $v' <<<"$sink_steps")
        [ "$(jq .passed "$run_dir/$name.verdict.json")" = true ] || break
    done
    jq -n --argjson server "$server_steps" --argjson sink "$sink_steps" --argjson terminals "$sus_terminals" --argjson d "$sus_duration" \
        '{terminals: $terminals, duration_s: $d, server: $server, sink: $sink}' >"$run_dir/sustained/ladder.json"
fi

# ------------------------------------------------------ 3b/4. half rate: ack latency and freshness; ClickHouse limit
half_rate=""
if [ -n "$half_rate_override" ]; then half_rate=$half_rate_override
elif [ -n "$best_rate" ]; then half_rate=$((best_rate / 2))
elif [ -n "${sus_rates[0]:-}" ] && wants sustained; then half_rate=$((sus_rates[0] / 2)); fi
if wants half && [ -n "$half_rate" ]; then
    mkdir -p "$run_dir/half" "$run_dir/baseline"
    ramp_s=$(python3 -c "print($sus_terminals / $ramp_rate)")
    log "3b/4. half rate $half_rate/s: latency and freshness"
    start_platform "$run_dir/half/platform.json"
    start_server half
    half_db=$current_db
    t_start=$(now)
    timeout $((half_duration + 60)) "$probe_bin" freshness --target "127.0.0.1:$gb_port" --clickhouse "$ch_url" --database "$half_db" \
        --duration "$((half_duration - 4))s" --interval "$fresh_interval" --poll 25ms >"$run_dir/half/freshness.json" 2>"$run_dir/half/freshness.err" &
    fresh_pid=$!; track $fresh_pid
    fleet_step half/server "$gb_port" "$half_rate" "$half_duration" --hj1239-target "127.0.0.1:$hj_port" \
        --check-clickhouse "$ch_url" --clickhouse-database "$half_db" --check-platform-record "$run_dir/half/platform.json" --check-wait 90s
    wait "$fresh_pid" || true
    t0=$(python3 -c "print($t_start + $ramp_s + 2)"); t1=$(python3 -c "print($t_start + $half_duration)")
    "${scen_py[@]}" verdict --samples "$run_dir/half.samples.jsonl" --fleet "$run_dir/half/server.fleet.json" --from "$t0" --to "$t1" \
        --ch-samples "$run_dir/half.ch.samples.jsonl" --redis-samples "$run_dir/half.redis.samples.jsonl" \
        --offered "$half_rate" --duration "$half_duration" --ramp-seconds "$ramp_s" >"$run_dir/half/verdict.json" || true
    stop_server; stop_pid "$platform_pid" TERM 10
    log "half: $(jq -c '{acked_fps, p99: .data_latency.p99Ms, growing}' "$run_dir/half/verdict.json") freshness $(jq -c .freshness_ms "$run_dir/half/freshness.json")"

    log "baseline: bare ClickHouse insert loop with the rows of $half_db"
    timeout $((ch_baseline_s + 120)) "$chbase_bin" --clickhouse "$ch_url" --source-db "$half_db" --target-db "${half_db}_bare" \
        --batch-rows 10000 --duration "${ch_baseline_s}s" >"$run_dir/baseline/clickhouse.json" 2>"$run_dir/baseline/clickhouse.err" || true
    databases+=("${half_db}_bare")
    log "baseline clickhouse: $(jq -c '{records_per_second, rows_per_second, batch_ms_p50}' "$run_dir/baseline/clickhouse.json")"
    if [ "$mode" = full ]; then
        timeout $((ch_baseline_s + 120)) "$chbase_bin" --clickhouse "$ch_url" --source-db "$half_db" --target-db "${half_db}_bare" \
            --batch-rows 100000 --duration "${ch_baseline_s}s" >"$run_dir/baseline/clickhouse-batch-100000.json" 2>/dev/null || true
    fi
    timeout $((half_duration + 60)) "$probe_bin" freshness-direct --clickhouse "$ch_url" --database "${half_db}_bare" \
        --duration "$((half_duration - 4))s" --interval "$fresh_interval" --poll 25ms >"$run_dir/half/freshness-direct.json" 2>"$run_dir/half/freshness-direct.err" || true
    drop_database "$half_db"; drop_database "${half_db}_bare"

    start_sink half
    fleet_step half/sink "$sink_port" "$half_rate" "$half_duration"
    stop_sink
    "${scen_py[@]}" sinkrate --fleet "$run_dir/half/sink.fleet.json" --offered "$half_rate" --duration "$half_duration" --ramp-seconds "$ramp_s" \
        >"$run_dir/half/sink-verdict.json" || true
elif wants half; then
    log "3b/4: no sustained rate known (run 'sustained' or give --half-rate N): not run"
fi

# ------------------------------------------------------------------- goal 2: CPU per frame until stored and relayed
# The same fleet against the full server (spool, ClickHouse, Redis, relay), a spool-only server and the bare sink,
# in two regimes: busy (many frames per read) and realistic (one frame per read, fixed costs per wake-up). The
# server's CPU is read from /proc/<pid>/stat right before the fleet starts and right after the fleet's ClickHouse
# and platform checks saw every acknowledged frame (the checks poll; the server is idle by then). Per acknowledged
# frame of every kind (logins and heartbeats included, the same for every target).
proc_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }
if wants cpu; then
    mkdir -p "$run_dir/cpu"
    for regime in busy realistic; do
        if [ "$regime" = busy ]; then
            c_terminals=${cpu_busy[0]}; c_rate=${cpu_busy[1]}; c_duration=${cpu_busy[2]}
            c_interval="$(( c_terminals * 1000 / c_rate ))ms"
        else
            c_terminals=${cpu_real[0]}; c_interval=${cpu_real[1]}; c_duration=${cpu_real[2]}
            c_rate=$(python3 -c "print(round($c_terminals / ${c_interval%s}))")
        fi
        if [ "$c_terminals" -gt "$max_conn" ]; then
            log "cpu $regime: $c_terminals terminals exceed the open-file limit: not run"; continue
        fi
        for target in server spool sink; do
            name="cpu/$regime-$target"
            check_args=(); pid=""
            case $target in
                server)
                    start_platform "$run_dir/$name.platform.json"; start_server "cpu-$regime"; pid=$server_pid; port=$gb_port
                    check_args=(--hj1239-target "127.0.0.1:$hj_port" --check-clickhouse "$ch_url" --clickhouse-database "$current_db"
                        --check-platform-record "$run_dir/$name.platform.json" --check-wait 120s) ;;
                spool)
                    server_components=""; start_server "cpu-$regime-spool"; server_components="clickhouse,redis,relay"; pid=$server_pid; port=$gb_port
                    check_args=(--hj1239-target "127.0.0.1:$hj_port") ;;
                sink) start_sink "cpu-$regime"; pid=$sink_pid; port=$sink_port ;;
            esac
            ramp=$(( c_terminals > 2500 ? 2500 : c_terminals ))
            c0=$(proc_cpu_s "$pid"); t0=$(now)
            timeout $((c_duration + 300)) "$loadgen_bin" fleet -t "127.0.0.1:$port" -n "$c_terminals" --interval "$c_interval" \
                --ramp "$ramp" --duration "${c_duration}s" --seed 5000 --sources 127.0.0.40 --json -q "${check_args[@]}" \
                >"$run_dir/$name.fleet.json" 2>"$run_dir/$name.fleet.err" || true
            c1=$(proc_cpu_s "$pid"); t1=$(now)
            "${scen_py[@]}" cpurow --fleet "$run_dir/$name.fleet.json" --regime "$regime" --target "$target" --terminals "$c_terminals" \
                --offered "$c_rate" --cpu-s "$(python3 -c "print($c1 - $c0)")" --seconds "$(python3 -c "print($t1 - $t0)")" \
                >"$run_dir/$name.json" || echo "{\"regime\": \"$regime\", \"target\": \"$target\", \"error\": \"no result\"}" >"$run_dir/$name.json"
            case $target in
                server) stop_server; stop_pid "$platform_pid" TERM 10; platform_pid=""; drop_database "$current_db" ;;
                spool) stop_server; drop_database "$current_db" ;;
                sink) stop_sink ;;
            esac
            log "cpu $regime $target: $(jq -c '{acked_fps, us_per_frame, complete, fleet_us: .fleet_cpu.us_per_frame}' "$run_dir/$name.json" 2>/dev/null)"
        done
    done
fi

# ---------------------------------------------------------------------------------------- 5. forwarder reissue drain
if wants reissue; then
    mkdir -p "$run_dir/reissue"
    # disconnect: the platform is up, then goes away for the outage (its connections reset), then comes back.
    # from-start: the platform is missing when the load starts and appears after the outage.
    for outage_mode in disconnect from-start; do
        log "5. reissue drain ($outage_mode): $outage_terminals terminals every $outage_interval, platform down $outage_len"
        start_server "reissue-$outage_mode" --Forwarder:Links:0:MinReconnectDelay=00:00:01 --Forwarder:Links:0:MaxReconnectDelay=00:00:05 \
            --Forwarder:Links:0:RealtimeWindow=$outage_window
        timeout 900 "$probe_bin" outage --mode "$outage_mode" --target "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port" \
            --http "$http_url" --metrics "$metrics_url" --platform "127.0.0.1:$platform_port" --terminals "$outage_terminals" --interval "$outage_interval" \
            --pre "$outage_pre" --outage "$outage_len" --post "$outage_post" --drain-timeout 300s --sample 50ms \
            --clickhouse "$ch_url" --database "$current_db" >"$run_dir/reissue/$outage_mode.raw.json" 2>"$run_dir/reissue/$outage_mode.err" || true
        alive=false; kill -0 "$server_pid" 2>/dev/null && alive=true
        grep -E '(crit|fail):' "$run_dir/server-reissue-$outage_mode.log" | cut -c1-600 | head -5 >"$run_dir/reissue/$outage_mode.server-errors.txt" || true
        jq --argjson alive "$alive" --rawfile errors "$run_dir/reissue/$outage_mode.server-errors.txt" \
            '. + {server_alive_after: $alive, server_errors: $errors}' "$run_dir/reissue/$outage_mode.raw.json" >"$run_dir/reissue/$outage_mode.json" 2>/dev/null \
            || echo "{\"mode\": \"$outage_mode\", \"error\": \"no result\", \"server_alive_after\": $alive}" >"$run_dir/reissue/$outage_mode.json"
        stop_server; drop_database "$current_db"
        log "reissue $outage_mode: server alive after: $alive; $(jq -c '{peak_relay_lag_bytes, reconnect_seconds, drain_seconds, drain_frames_per_second, frames_reissued, server_unreachable_at_seconds, platform: .platform_check.passed}' "$run_dir/reissue/$outage_mode.json" 2>/dev/null)"
    done
fi

# ------------------------------------------------------------------------------ profile: where the server's CPU goes
# The same fleet at one rate against servers with parts taken away (CPU per acknowledged frame of each), and a
# perf profile of the full server over the steady window (DOTNET_PerfMapEnabled names the JIT-compiled methods).
if wants profile; then
    mkdir -p "$run_dir/profile"
    p_rate=${profile_rate:-${half_rate:-2000}}
    ramp_s=$(python3 -c "print($sus_terminals / $ramp_rate)")
    log "profile at $p_rate/s"
    for variant in "${profile_variants[@]}"; do
        tag="${variant//,/-}"
        server_components="$variant"; [ "$variant" = spool-only ] && server_components=""
        perf_map=0; [ "$variant" = "clickhouse,redis,relay" ] && command -v perf >/dev/null && perf_map=1
        [[ ",$server_components," == *",relay,"* ]] && start_platform "$run_dir/profile/$tag.platform.json"
        start_server "profile-$tag"
        t_start=$(now)
        perf_pid=""
        if [ "$perf_map" = 1 ]; then
            ( sleep "$(python3 -c "print($ramp_s + 8)")"; timeout 60 perf record -F 499 -g -p "$server_pid" -o "$run_dir/profile/perf.data" -- sleep 15 ) \
                >"$run_dir/profile/perf-record.log" 2>&1 &
            perf_pid=$!; track $perf_pid
        fi
        fleet_step "profile/$tag" "$gb_port" "$p_rate" "$sus_duration" --hj1239-target "127.0.0.1:$hj_port"
        [ -n "$perf_pid" ] && wait "$perf_pid" 2>/dev/null || true
        t0=$(python3 -c "print($t_start + $ramp_s + 2)"); t1=$(python3 -c "print($t_start + $sus_duration)")
        "${scen_py[@]}" verdict --samples "$run_dir/profile-$tag.samples.jsonl" --fleet "$run_dir/profile/$tag.fleet.json" --from "$t0" --to "$t1" \
            --offered "$p_rate" --duration "$sus_duration" --ramp-seconds "$ramp_s" | jq --arg v "$variant" '. + {variant: $v}' >"$run_dir/profile/$tag.verdict.json" || true
        if [ "$perf_map" = 1 ] && [ -s "$run_dir/profile/perf.data" ]; then
            timeout 300 perf report -i "$run_dir/profile/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.7 \
                2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >"$run_dir/profile/perf-top.txt" || true
            timeout 300 perf report -i "$run_dir/profile/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.005 \
                2>/dev/null | grep -v '^#' | grep -v '^$' >"$run_dir/profile/perf-symbols.txt" || true
            timeout 300 perf report -i "$run_dir/profile/perf.data" --stdio --no-children --sort dso -g none \
                2>/dev/null | grep -v '^#' | grep -v '^$' | head -12 >"$run_dir/profile/perf-dso.txt" || true
            rm -f "$run_dir/profile/perf.data"
        fi
        stop_server; [ -n "$platform_pid" ] && stop_pid "$platform_pid" TERM 10; platform_pid=""
        [[ ",$server_components," == *",clickhouse,"* ]] && drop_database "$current_db"
        log "profile $variant: $(jq -c '{acked_fps, us_per_frame: .server_cpu_us_per_frame, cpu: .server.cpu_pct_of_one_core, growing}' "$run_dir/profile/$tag.verdict.json" 2>/dev/null)"
    done
    server_components="clickhouse,redis,relay"; perf_map=0
fi

# ------------------------------------------------------------------------------------------------------- results
wall=$(( ($(date +%s) - started_at + 30) / 60 ))
jq --arg w "$wall" '. + {wall_minutes: $w}' "$run_dir/meta.json" >"$run_dir/meta.tmp" && mv "$run_dir/meta.tmp" "$run_dir/meta.json"
"${scen_py[@]}" report --run "$run_dir" >"$run_dir/results.md"
if [ "$write_results" = 1 ]; then
    results="$repo/bench/RESULTS.md"
    heading="## Load-test scenarios"
    if [ ! -f "$results" ] || ! grep -qx "$heading" "$results"; then
        { [ -s "$results" ] && echo; echo "$heading"; echo; echo "Written by \`bench/scenarios/run.sh\` (see bench/scenarios/README.md); newest run last."; echo; } >>"$results"
    fi
    { cat "$run_dir/results.md"; echo; } >>"$results"
    log "results appended to bench/RESULTS.md"
fi
"${scen_py[@]}" goals --run "$run_dir" >&2
log "done in $wall min; raw data in $run_dir"
