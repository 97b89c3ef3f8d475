#!/usr/bin/env bash
# Faults that take too long or too many connections for the test suite, run against the real server on loopback:
#
#   bench/scenarios/faults.sh clickhouse-outage [SECONDS]   ClickHouse stopped SECONDS (default 60) under a 500-terminal fleet
#   bench/scenarios/faults.sh login-flood [TERMINALS]        TERMINALS (default 20000) random-VIN logins at once
#
# Each fault gets a fresh server (own spool folder, ClickHouse database and Redis key prefix) on 127.0.0.1 ports
# 24100-24104 (INGEST_FAULT_PORT_BASE), every process it starts is stopped on exit, and the last lines are a summary:
# what the terminals saw, and acknowledged against stored (ClickHouse FINAL) and relayed (the simulated platform).
# The server runs with the test-bench settings of the demo; ClickHouse and Redis come from scripts/services.sh.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/../.." && pwd)"
cd "$repo"

fault="${1:-}"
case "$fault" in
    clickhouse-outage) outage_s="${2:-60}" ;;
    login-flood) flood_terminals="${2:-20000}" ;;
    *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

port_base="${INGEST_FAULT_PORT_BASE:-24100}"
gb_port=$port_base; hj_port=$((port_base + 1)); http_port=$((port_base + 2)); platform_port=$((port_base + 3))
metrics_port=$((port_base + 4)) # Http:MetricsUrl: /metrics without a key (it needs an admin key on $http_port)
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
run_dir="$repo/var/faults/$stamp-$fault"
database="fault_${stamp//[^0-9]/}"
mkdir -p "$run_dir"
log() { printf '%s fault: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/services.sh start clickhouse >/dev/null 2>&1 || true # never leave the shared ClickHouse stopped
    rm -rf "$run_dir/spool"
}
trap cleanup EXIT

log "building Release"
dotnet build src/Ingest -c Release -v q -nologo >"$run_dir/build.log" 2>&1
dotnet build bench/LoadGen -c Release -v q -nologo >>"$run_dir/build.log" 2>&1
dotnet build bench/scenarios/ScenarioProbe -c Release -v q -nologo >>"$run_dir/build.log" 2>&1
ingest="$repo/src/Ingest/bin/Release/net10.0/Ingest"
loadgen="$repo/bench/LoadGen/bin/Release/net10.0/LoadGen"
probe="$repo/bench/scenarios/ScenarioProbe/bin/Release/net10.0/ScenarioProbe"

scripts/services.sh start >/dev/null
eval "$(scripts/services.sh env)"
ch="$INGEST_ClickHouse__Endpoint"

"$loadgen" platform --listen "127.0.0.1:$platform_port" --record "$run_dir/platform.json" --duration 1h \
    >"$run_dir/platform.log" 2>&1 &
pids+=($!)

INGEST_Ingest__NodeName="fault-$stamp" \
INGEST_Ingest__HttpUrl="http://127.0.0.1:$http_port" \
INGEST_Http__MetricsUrl="http://127.0.0.1:$metrics_port" \
INGEST_Ingest__Listeners__0__Address=127.0.0.1 INGEST_Ingest__Listeners__0__Port=$gb_port \
INGEST_Ingest__Listeners__1__Address=127.0.0.1 INGEST_Ingest__Listeners__1__Port=$hj_port \
INGEST_Ingest__Admission=Open INGEST_Ingest__RateLimits__Enabled=false \
INGEST_Spool__Directory="$run_dir/spool" \
INGEST_ClickHouse__Database="$database" \
INGEST_Redis__KeyPrefix="fault$stamp" \
INGEST_Forwarder__Links__0__Name=national \
INGEST_Forwarder__Links__0__Filter__RelayUnfiled=true \
INGEST_Forwarder__Links__0__Host=127.0.0.1 \
INGEST_Forwarder__Links__0__Port=$platform_port \
INGEST_Forwarder__Links__0__Username=fault \
INGEST_Forwarder__Links__0__Password=fault-password \
INGEST_Forwarder__Links__0__PlatformCode=FAULTPLATFORM0001 \
    "$ingest" serve >"$run_dir/ingest.log" 2>&1 &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null || { log "server did not start; see $run_dir/ingest.log"; exit 1; }
log "server up (pid $server_pid), database $database, run folder $run_dir"

server_alive() { kill -0 "$server_pid" 2>/dev/null && echo yes || echo no; }

if [ "$fault" = clickhouse-outage ]; then
    fleet_s=$((outage_s + 60))
    log "fleet: 500 terminals every 1 s for ${fleet_s} s; ClickHouse stops at 20 s for ${outage_s} s"
    "$loadgen" fleet -t "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port" -n 500 --interval 1s --ramp 500 \
        --duration "${fleet_s}s" --check-clickhouse "$ch" --clickhouse-database "$database" \
        --check-platform-record "$run_dir/platform.json" --check-wait 120s >"$run_dir/fleet.txt" 2>&1 &
    fleet_pid=$!
    pids+=($fleet_pid)
    sleep 20
    scripts/services.sh stop clickhouse >>"$run_dir/run.log" 2>&1
    log "ClickHouse stopped; /readyz: $(curl -s "http://127.0.0.1:$http_port/readyz" | head -c 400)"
    sleep "$outage_s"
    log "ClickHouse lag before restart: $(curl -s "http://127.0.0.1:$http_port/readyz" | grep -o '"clickhouse[^}]*}' | head -1)"
    scripts/services.sh start clickhouse >>"$run_dir/run.log" 2>&1
    log "ClickHouse started again"
    set +e
    wait "$fleet_pid"
    fleet_rc=$?
    set -e
    log "fleet exit code $fleet_rc; server alive: $(server_alive)"
    tail -25 "$run_dir/fleet.txt"
    exit "$fleet_rc"
fi

# login-flood: every terminal connects and sends its login at the same moment (random VINs: seeded, valid check digits).
# One process holds at most `ulimit -n` sockets (20,000 here), so the flood comes from several probes of at most
# 9,500 terminals each, started together, each from its own source address.
probes=$(( (flood_terminals + 9499) / 9500 ))
log "flood: $flood_terminals terminals log in at once, from $probes probe processes"
probe_pids=()
for i in $(seq 1 "$probes"); do
    count=$(( flood_terminals / probes + (i <= flood_terminals % probes ? 1 : 0) ))
    timeout 300 "$probe" storm --target "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port" --terminals "$count" \
        --warm-up 0 --timeout 30s --seed "$((RANDOM + i))" --sources "127.0.0.$((i + 1))" \
        >"$run_dir/storm-$i.json" 2>"$run_dir/storm-$i.err" &
    probe_pids+=($!)
done
storm_rc=0
for pid in "${probe_pids[@]}"; do wait "$pid" || storm_rc=$?; done
sleep 2
ready="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/readyz")"
refused="$(curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^ingest_connections_refused' | awk '{ s += $NF } END { print s + 0 }')"
log "storm exit code $storm_rc; server alive: $(server_alive); /readyz $ready; ingest_connections_refused $refused"
log "accept errors logged: $(grep -ci 'too many open files' "$run_dir/ingest.log" || true); spool disk errors: $(grep -c '\[1106\]\|\[1113\]' "$run_dir/ingest.log" || true)"
for i in $(seq 1 "$probes"); do
    jq -c '{terminals, logins_acknowledged, logins_rejected, errors, seconds_to_all}' "$run_dir/storm-$i.json" 2>/dev/null \
        || { echo "probe $i: no result"; tail -3 "$run_dir/storm-$i.err"; }
done
sessions="$(curl -fsS "$ch/" --data-binary "SELECT count() FROM $database.sessions FINAL" 2>/dev/null || echo '?')"
log "login rows in ClickHouse: $sessions"
# A fleet after the flood: the node must serve again once the flood's connections are gone.
"$loadgen" fleet -t "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port" -n 50 --interval 1s --duration 10s \
    --check-clickhouse "$ch" --clickhouse-database "$database" >"$run_dir/fleet-after.txt" 2>&1 \
    && log "a fleet after the flood: PASS" || log "a fleet after the flood: FAIL (see $run_dir/fleet-after.txt)"
tail -6 "$run_dir/fleet-after.txt"
