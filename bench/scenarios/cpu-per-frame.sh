#!/usr/bin/env bash
# Server CPU at a fixed load: 1,000 terminals at about 1,000 frames/s for 20 s against a server started with the
# given extra options; samples /proc/<pid>/stat over 10 s in the middle. Loopback only, bounded, stops by itself.
#   bench/scenarios/cpu-per-frame.sh LABEL [server options...]
#   e.g. bench/scenarios/cpu-per-frame.sh linger-off --clickhouse http://127.0.0.1:18123 --redis 127.0.0.1:16379 --Spool:ConsumerLinger=00:00:00
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
label="$1"; shift
work="var/cpu-per-frame/$label"; rm -rf "$work"; mkdir -p "$work"
dotnet build -c Release -v quiet -nologo src/Ingest/Ingest.csproj >/dev/null
dotnet build -c Release -v quiet -nologo bench/LoadGen/LoadGen.csproj >/dev/null
src/Ingest/bin/Release/net10.0/Ingest serve --http http://127.0.0.1:18090 --port 33960 --listen-address 127.0.0.1 \
    --Ingest:Listeners:1:Port=13390 --Ingest:Listeners:1:Address=127.0.0.1 --spool-dir "$work/spool" \
    --admission Open --Ingest:RateLimits:Enabled=false \
    --Logging:LogLevel:Default=Warning "$@" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 3
timeout 60 bench/LoadGen/bin/Release/net10.0/LoadGen fleet -t 127.0.0.1:33960 --hj1239-target 127.0.0.1:13390 -n 1000 \
    --interval 1s --ramp 1000 --duration 20s -q >"$work/fleet.txt" 2>&1 &
fleet=$!
sleep 8
t0=$(awk '{print $14+$15}' "/proc/$server/stat"); sleep 10; t1=$(awk '{print $14+$15}' "/proc/$server/stat")
wait $fleet || true
echo "$label: server CPU $(( (t1 - t0) / 10 ))% of a core (clock ticks at 100 Hz over 10 s)"
grep -E "throughput|data only" "$work/fleet.txt"
