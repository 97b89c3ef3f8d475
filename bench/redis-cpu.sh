#!/usr/bin/env bash
# Redis's own CPU per state update, the write path before issue 7 against the current one, in one run
# (bench/Ingest.Benchmarks/RedisCpu/RedisCpuRun.cs). Starts a private redis-server on a free port (nothing else counts
# in its INFO cpu), runs, stops it.
#
#   bench/redis-cpu.sh [updates=40000] [rounds=5] [live stream length=100000, 0: no stream]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
dir="$(mktemp -d)"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no >"$dir/redis.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

dotnet run -c Release --project bench/Ingest.Benchmarks -- redis-cpu "127.0.0.1:$port" "${1:-40000}" "${2:-5}" "${3:-100000}"
