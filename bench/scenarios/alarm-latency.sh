#!/usr/bin/env bash
# Acknowledgement -> webhook latency of alarm events (issue 11): a real server with ClickHouse, Redis and alarms on,
# one ScenarioProbe terminal alternating level-3 / level-0 frames, its own webhook receiver; optionally a LoadGen
# fleet at the same time (--fleet N --fleet-interval 1s). Prints the probe's JSON (median and p99 in ms).
#   eval "$(scripts/services.sh env)"; bench/scenarios/alarm-latency.sh [--duration 60s] [--fleet 2000 --fleet-interval 1s]
# Ports: INGEST_ALARM_PORT_BASE (default 24300) .. +3, loopback only. Everything it starts is stopped on exit (by pid),
# its ClickHouse database dropped, its Redis keys and spool deleted.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
duration=60s; fleet=0; fleet_interval=1s
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --fleet) fleet=$2; shift 2 ;;
        --fleet-interval) fleet_interval=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 1 ;;
    esac
done
: "${INGEST_ClickHouse__Endpoint:?eval \"\$(scripts/services.sh env)\" first}"
: "${INGEST_Redis__Endpoint:?eval \"\$(scripts/services.sh env)\" first}"
base=${INGEST_ALARM_PORT_BASE:-24300}
gb_port=$base; http_port=$((base + 1)); hook_port=$((base + 2))
run_dir="$(mktemp -d /tmp/alarm-latency.XXXXXX)"
db="alarm_bench_$(date +%s)"; prefix="alb$(date +%s)"; secret="bench-secret-0123456789"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    curl -fsS "$INGEST_ClickHouse__Endpoint" --data-binary "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    redis-cli -u "redis://$INGEST_Redis__Endpoint" --scan --pattern "$prefix:*" 2>/dev/null | xargs -r redis-cli -u "redis://$INGEST_Redis__Endpoint" del >/dev/null 2>&1 || true
    rm -rf "$run_dir"
}
trap cleanup EXIT
for project in src/Ingest bench/LoadGen bench/scenarios/ScenarioProbe; do
    timeout 900 dotnet build -c Release "$repo/$project" -v q -nologo >"$run_dir/build.log" 2>&1 || { cat "$run_dir/build.log" >&2; exit 1; }
done
"$repo/src/Ingest/bin/Release/net10.0/Ingest" serve --Ingest:NodeName=alarmbench \
    --Ingest:Listeners:0:Name=gb32960 --Ingest:Listeners:0:Protocol=Gb32960 --Ingest:Listeners:0:Address=127.0.0.1 --Ingest:Listeners:0:Port=$gb_port \
    --http "http://127.0.0.1:$http_port" --spool-dir "$run_dir/spool" \
    --clickhouse "$INGEST_ClickHouse__Endpoint" --ClickHouse:Database="$db" --redis "$INGEST_Redis__Endpoint" --Redis:KeyPrefix="$prefix" \
    --admission Open --Ingest:RateLimits:Enabled=false --Logging:LogLevel:Default=Warning \
    --Alarms:Enabled=true --Alarms:Webhooks:0:Name=bench --Alarms:Webhooks:0:Url="http://127.0.0.1:$hook_port/" \
    --Alarms:Webhooks:0:Secret="$secret" >"$run_dir/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fsS --max-time 1 "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS --max-time 1 "http://127.0.0.1:$http_port/readyz" >/dev/null || { tail -30 "$run_dir/server.log" >&2; exit 1; }
if [ "$fleet" -gt 0 ]; then
    "$repo/bench/LoadGen/bin/Release/net10.0/LoadGen" fleet -t "127.0.0.1:$gb_port" -n "$fleet" --protocols gb2016=100 \
        --interval "$fleet_interval" --duration 3600s >"$run_dir/fleet.log" 2>&1 &
    pids+=($!)
    sleep 5 # ramp
fi
"$repo/bench/scenarios/ScenarioProbe/bin/Release/net10.0/ScenarioProbe" alarm-latency --target "127.0.0.1:$gb_port" \
    --listen "$hook_port" --secret "$secret" --duration "$duration"
# What the server took meanwhile (the fleet's frames included): spool end and consumer lag from /readyz.
curl -fsS --max-time 2 "http://127.0.0.1:$http_port/readyz" | head -c 600 >&2; echo >&2
