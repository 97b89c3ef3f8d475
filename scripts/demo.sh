#!/usr/bin/env bash
# The whole product end to end on this machine: ClickHouse and Redis (installed from Debian packages when missing),
# the ingest server, a simulated superior platform it relays to, and a simulated fleet of terminals.
# At the end it checks that every acknowledged frame is in ClickHouse and at the platform, and prints where to look.
#
#   bash scripts/demo.sh                 run, check, print, then keep the server up until Enter (when interactive)
#   bash scripts/demo.sh --terminals 500 --duration 30s --no-wait
#   bash scripts/demo.sh --port-base 42000   GB/T 32960 on 42000, HJ 1239 on 42001, HTTP on 42002, platform on 42003
#
# Ports: 32960 (GB/T 32960), 12390 (HJ 1239), 8080 (HTTP) and 39990 (simulated platform) by default; a default port
# that is busy is replaced by a free one, and the ports used are printed. ClickHouse and Redis come from
# scripts/services.sh (their ports and folder: INGEST_CH_HTTP_PORT, INGEST_CH_TCP_PORT, INGEST_REDIS_PORT,
# INGEST_SERVICES_DIR; see that script).
#
# Everything runs on loopback; every process it starts is stopped on exit, ClickHouse and Redis included when this
# run started them (--keep-services leaves them running for the next run).
set -euo pipefail

terminals=200
duration=20s
wait_at_end=1
port_base=""
keep_services=0
while [ $# -gt 0 ]; do
    case "$1" in
        --terminals) terminals="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --no-wait) wait_at_end=0; shift ;;
        --port-base) port_base="$2"; shift 2 ;;
        --keep-services) keep_services=1; shift ;;
        *) echo "usage: $0 [--terminals N] [--duration 20s] [--no-wait] [--port-base N] [--keep-services]" >&2; exit 2 ;;
    esac
done
[ -t 0 ] || wait_at_end=0

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
demo_dir="$repo/var/demo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A port is free when nothing answers on it and it can be bound.
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }
pick_port() { # wanted port -> that port when free, else a free one the kernel picks
    if port_free "$1"; then echo "$1"; return; fi
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if [ -n "$port_base" ]; then
    gb_port=$port_base hj_port=$((port_base + 1)) http_port=$((port_base + 2)) platform_port=$((port_base + 3))
    for p in $gb_port $hj_port $http_port $platform_port; do
        port_free "$p" || { echo "port $p (from --port-base $port_base) is busy" >&2; exit 2; }
    done
else
    gb_port=$(pick_port 32960) hj_port=$(pick_port 12390) http_port=$(pick_port 8080) platform_port=$(pick_port 39990)
fi

pids=()
started_services=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$keep_services" = 0 ]; then
        for service in "${started_services[@]}"; do scripts/services.sh stop "$service" >/dev/null 2>&1 || true; done
    fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "ClickHouse and Redis (scripts/services.sh)"
scripts/services.sh install
for service in clickhouse redis; do
    scripts/services.sh status "$service" >/dev/null 2>&1 || started_services+=("$service")
done
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

step "API key (the HTTP API answers 401 to everything but /healthz and /readyz without one)"
# Created on the node with the CLI before the server starts; only its SHA-256 is stored (var/demo/spool/api-keys.json).
api_key="$("$ingest" keys create --tenant demo --scopes admin --name demo --spool-dir "$demo_dir/spool" 2>/dev/null | awk '$1 == "key" { print $2 }')"
[ -n "$api_key" ] || { echo "could not create an API key" >&2; exit 1; }
auth=(-H "Authorization: Bearer $api_key")
echo "admin key for this demo: $api_key"

step "Ingest server: GB/T 32960 on $gb_port, HJ 1239 on $hj_port, HTTP on $http_port (log: var/demo/ingest.log)"
INGEST_Ingest__NodeName=demo-node \
INGEST_Ingest__HttpUrl="http://127.0.0.1:$http_port" \
INGEST_Ingest__Listeners__0__Address=127.0.0.1 INGEST_Ingest__Listeners__0__Port=$gb_port \
INGEST_Ingest__Listeners__1__Address=127.0.0.1 INGEST_Ingest__Listeners__1__Port=$hj_port \
INGEST_Ingest__Admission=Open \
INGEST_Alarms__Enabled=true \
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

status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/vehicles/online")"
[ "$status" = 401 ] || { echo "/vehicles/online without a key answered $status, not 401" >&2; exit 1; }
curl -fsS "${auth[@]}" "http://127.0.0.1:$http_port/vehicles/online" >/dev/null || { echo "/vehicles/online refused the demo's admin key" >&2; exit 1; }

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
  status page    http://127.0.0.1:$http_port/   (paste the API key; live counts, lags, links, alarms, online vehicles)
  API key        export KEY=$api_key      (admin; more with: $ingest keys create --tenant T --scopes state:read --spool-dir $demo_dir/spool)
  metrics        curl -s -H "Authorization: Bearer \$KEY" http://127.0.0.1:$http_port/metrics | grep -E '^ingest_(frames|connections|decode)'
  readiness      curl -s http://127.0.0.1:$http_port/readyz          (no key needed: spool size, each consumer's lag)
  vehicle state  curl -s -H "Authorization: Bearer \$KEY" http://127.0.0.1:$http_port/vehicles/${vin:-<VIN>}/state
  online list    curl -s -H "Authorization: Bearer \$KEY" 'http://127.0.0.1:$http_port/vehicles/online?limit=5'
  history        curl -s -H "Authorization: Bearer \$KEY" 'http://127.0.0.1:$http_port/vehicles/${vin:-<VIN>}/frames?limit=3'
  registry       curl -s -H "Authorization: Bearer \$KEY" 'http://127.0.0.1:$http_port/registry/vehicles?limit=5'
  quality today  curl -s -H "Authorization: Bearer \$KEY" "http://127.0.0.1:$http_port/quality/daily?date=\$(TZ=Asia/Shanghai date +%F)"
  alarm events   curl -s -H "Authorization: Bearer \$KEY" 'http://127.0.0.1:$http_port/alarms/recent?limit=5'
  ClickHouse     clickhouse-client --port ${INGEST_CH_TCP_PORT:-19000} -q 'SELECT command, count() FROM demo.frames_raw FINAL GROUP BY command'
  OpenAPI        curl -s -H "Authorization: Bearer \$KEY" http://127.0.0.1:$http_port/openapi/v1.json
  logs           $demo_dir/ingest.log, $demo_dir/platform.log, $demo_dir/fleet.txt
EOF2
echo
echo "frames by command:"
curl -s "${auth[@]}" "http://127.0.0.1:$http_port/metrics" | grep -E '^ingest_frames_total' | head -12 || true
if [ -n "$vin" ]; then
    echo; echo "state of $vin:"; curl -s "${auth[@]}" "http://127.0.0.1:$http_port/vehicles/$vin/state"; echo
fi

if [ "$wait_at_end" = 1 ]; then
    echo; read -r -p "The server is still running. Press Enter to stop everything. " _
fi
exit "$fleet_rc"
