#!/usr/bin/env bash
# A/B server CPU at a fixed load with ClickHouse and Redis (cpu-per-frame.sh with its own ports, database and key prefix).
#   bench/scenarios/consumer-ab.sh LABEL SERVER_BINARY [TERMINALS] [INTERVAL]   (interleave LABELs; 20 s fleet, 10 s CPU sample)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
label=$1; bin=$2; n=${3:-1000}; interval=${4:-1s}
eval "$(scripts/services.sh env)"
work=var/consumer-ab/$label-$$; rm -rf "$work"; mkdir -p "$work"
"$bin" serve --http http://127.0.0.1:41890 --port 41960 --listen-address 127.0.0.1 \
    --Ingest:Listeners:1:Port=41390 --Ingest:Listeners:1:Address=127.0.0.1 --spool-dir "$work/spool" \
    --Logging:LogLevel:Default=Warning --clickhouse "$INGEST_ClickHouse__Endpoint" --redis "$INGEST_Redis__Endpoint" \
    --ClickHouse:Database=consumer_ab --Redis:KeyPrefix=cab >"$work/server.log" 2>&1 &
server=$!
sleep 6
timeout 60 bench/LoadGen/bin/Release/net10.0/LoadGen fleet -t 127.0.0.1:41960 --hj1239-target 127.0.0.1:41390 -n $n \
    --interval $interval --ramp $n --duration 20s -q >"$work/fleet.txt" 2>&1 &
fleet=$!
sleep 8
t0=$(awk '{print $14+$15}' "/proc/$server/stat"); sleep 10; t1=$(awk '{print $14+$15}' "/proc/$server/stat")
wait $fleet
sleep 2
lag=$(curl -s http://127.0.0.1:41890/readyz | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["spool"]["consumer_lag_bytes"])' 2>/dev/null)
kill $server; wait $server 2>/dev/null
echo "$label n=$n interval=$interval cpu_ticks=$((t1-t0)) lag_after_2s=$lag $(grep -E "throughput" "$work/fleet.txt" | head -1)"
[ "$t1" -gt 0 ] 2>/dev/null && rm -rf "$work" || echo "kept $work"
