#!/usr/bin/env bash
# The whole product end to end on this machine: ClickHouse and Redis (installed from Debian packages when missing),
# the ingest server, a simulated superior platform it relays to, and a simulated fleet of terminals.
# At the end it checks that every acknowledged frame is in ClickHouse and at the platform, and prints where to look.
#
#   bash scripts/demo.sh                 run, check, print, then keep the server up until Enter (when interactive)
#   bash scripts/demo.sh --terminals 500 --duration 30s --no-wait
#
# Everything runs on loopback; every process it starts is stopped on exit.
set -euo pipefail

terminals=200
duration=20s
wait_at_end=1
while [ $# -gt 0 ]; do
    case "$1" in
        --terminals) terminals="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --no-wait) wait_at_end=0; shift ;;
        *) echo "usage: $0 [--terminals N] [--duration 20s] [--no-wait]" >&2; exit 1 ;;
    esac
done
[ -t 0 ] || wait_at_end=0

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
demo_dir="$repo/var/demo"
gb_port=32960 hj_port=12390 http_port=8080 platform_port=39990
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "ClickHouse and Redis (scripts/services.sh)"
scripts/services.sh install
scripts/services.sh start
eval "$(scripts/services.sh env)"
# A fresh database per demo run: the check compares rows with what this run acknowledged.
export INGEST_ClickHouse__Database=demo
curl -fsS "$INGEST_ClickHouse__Endpoint/" --data-binary "DROP DATABASE IF EXISTS demo" >/dev/null

step "Build (Release)"
dotnet build -c Release -v quiet -nologo src/Ingest/Ingest.csproj
dotnet build -c Release -v quiet -nologo bench/LoadGen/LoadGen.csproj
ingest="$repo/src/Ingest/bin/Release/net10.0/Ingest"
loadgen="$repo/bench/LoadGen/bin/Release/net10.0/LoadGen"

rm -rf "$demo_dir"; mkdir -p "$demo_dir"

step "Simulated superior platform on 127.0.0.1:$platform_port"
"$loadgen" platform --listen "127.0.0.1:$platform_port" --record "$demo_dir/platform.json" --duration 1h \
    >"$demo_dir/platform.log" 2>&1 &
pids+=($!)

step "Ingest server: GB/T 32960 on $gb_port, HJ 1239 on $hj_port, HTTP on $http_port (log: var/demo/ingest.log)"
INGEST_Ingest__NodeName=demo-node \
INGEST_Ingest__HttpUrl="http://127.0.0.1:$http_port" \
INGEST_Ingest__Listeners__0__Address=127.0.0.1 INGEST_Ingest__Listeners__0__Port=$gb_port \
INGEST_Ingest__Listeners__1__Address=127.0.0.1 INGEST_Ingest__Listeners__1__Port=$hj_port \
INGEST_Ingest__Admission=Open \
INGEST_Forwarder__Links__0__Filter__RelayUnfiled=true \
INGEST_Spool__Directory="$demo_dir/spool" \
INGEST_Forwarder__Links__0__Name=national \
INGEST_Forwarder__Links__0__Host=127.0.0.1 \
INGEST_Forwarder__Links__0__Port=$platform_port \
INGEST_Forwarder__Links__0__Username=demo \
INGEST_Forwarder__Links__0__Password=demo-password \
INGEST_Forwarder__Links__0__PlatformCode=DEMOPLATFORM00001 \
    "$ingest" serve >"$demo_dir/ingest.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "server did not become ready; see $demo_dir/ingest.log" >&2; tail -20 "$demo_dir/ingest.log" >&2; exit 1; }

step "Simulated fleet: $terminals terminals for $duration (GB/T 32960-2016, -2025, HJ 1239)"
set +e
"$loadgen" fleet -t "127.0.0.1:$gb_port" --hj1239-target "127.0.0.1:$hj_port" -n "$terminals" --interval 1s \
    --duration "$duration" --gap-every 8s --gap-duration 2s --seed 7 \
    --check-clickhouse "$INGEST_ClickHouse__Endpoint" --clickhouse-database "$INGEST_ClickHouse__Database" \
    --check-platform-record "$demo_dir/platform.json" --check-wait 60s | tee "$demo_dir/fleet.txt"
fleet_rc=${PIPESTATUS[0]}
set -e

vin="$(curl -fsS "$INGEST_ClickHouse__Endpoint/" --data-binary \
    "SELECT vin FROM $INGEST_ClickHouse__Database.vehicle_samples ORDER BY device_time DESC LIMIT 1" 2>/dev/null || true)"
step "Where to look"
cat <<EOF2
  metrics        curl -s http://127.0.0.1:$http_port/metrics | grep -E '^ingest_(frames|connections|decode)'
  readiness      curl -s http://127.0.0.1:$http_port/readyz          (spool size, each consumer's lag)
  vehicle state  curl -s http://127.0.0.1:$http_port/vehicles/${vin:-<VIN>}/state
  online list    curl -s 'http://127.0.0.1:$http_port/vehicles/online?limit=5'
  history        curl -s 'http://127.0.0.1:$http_port/vehicles/${vin:-<VIN>}/frames?limit=3'
  ClickHouse     clickhouse-client --port ${INGEST_CH_TCP_PORT:-19000} -q 'SELECT command, count() FROM demo.frames_raw FINAL GROUP BY command'
  OpenAPI        curl -s http://127.0.0.1:$http_port/openapi/v1.json
  logs           $demo_dir/ingest.log, $demo_dir/platform.log, $demo_dir/fleet.txt
EOF2
echo
echo "frames by command:"
curl -s "http://127.0.0.1:$http_port/metrics" | grep -E '^ingest_frames_total' | head -12 || true
if [ -n "$vin" ]; then
    echo; echo "state of $vin:"; curl -s "http://127.0.0.1:$http_port/vehicles/$vin/state"; echo
fi

if [ "$wait_at_end" = 1 ]; then
    echo; read -r -p "The server is still running. Press Enter to stop everything. " _
fi
exit "$fleet_rc"
