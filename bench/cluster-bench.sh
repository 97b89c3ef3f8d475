#!/usr/bin/env bash
# Throughput of one ingest node against two (behind HAProxy) on the bench of scripts/cluster.sh, and the per-frame
# and per-vehicle figures the README's sizing table rests on. Needs `scripts/cluster.sh up` first.
#
#   bench/cluster-bench.sh [--terminals 3000] [--interval 1s] [--duration 30s]
#   INGEST_BENCH_ORDER="two-nodes one-node two-nodes-direct" bench/cluster-bench.sh ...   (runs and their order)
#
# Each run is a fresh fleet (own seed, so own VINs) that must pass LoadGen's ClickHouse and platform checks; CPU is
# each process's user+system time from /proc over the run and until every acknowledged frame is stored and relayed.
# Prints one markdown row per run and the storage figures.
set -euo pipefail

terminals=3000
interval=1s
duration=30s
while [ $# -gt 0 ]; do
    case "$1" in
        --terminals) terminals="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        *) echo "usage: $0 [--terminals N] [--interval 1s] [--duration 30s]" >&2; exit 2 ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
cluster_dir="${INGEST_CLUSTER_DIR:-$PWD/var/cluster}"
eval "$(scripts/cluster.sh env | sed 's/^/bench_/')"
loadgen=bench/LoadGen/bin/Release/net10.0/LoadGen
out_dir="$cluster_dir/bench"
mkdir -p "$out_dir"
base="${INGEST_CLUSTER_PORT_BASE:-27000}"

cpu_ticks() { # pid-file... -> sum of utime+stime (clock ticks)
    local total=0 f pid
    for f in "$@"; do
        pid="$(cat "$f" 2>/dev/null || true)"
        [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
    done
    echo "$total"
}

redis_masters() { redis-cli -p "$((base + 301))" cluster nodes | awk '$3 ~ /master/ { split($2, a, "[:@]"); print a[2] }'; }
redis_used() { local total=0 p; for p in $(redis_masters); do total=$((total + $(redis-cli -p "$p" info memory | awk -F: '/^used_memory:/ { print $2+0 }'))); done; echo "$total"; }
stream_bytes() { redis-cli -c -p "$((base + 301))" memory usage tm:live 2>/dev/null | grep -E '^[0-9]+$' || echo 0; }

nodes_pids=("$cluster_dir"/node-*/pid)
ch_pids=("$cluster_dir"/clickhouse-*/pid)
redis_pids=("$cluster_dir"/redis-*/pid)

echo "| run | terminals | offered/s | acked/s | ack p99 ms | node CPU µs/frame | ClickHouse CPU µs/frame (4 servers) | Redis CPU µs/frame (6 servers) | HAProxy CPU µs/frame | checks |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
run() { # name gb-target hj-target [more fleet options]
    local name="$1" seed=$((RANDOM * 32768 + RANDOM)) json="$out_dir/$1.json"
    local n0 c0 r0 h0 m0 s0
    n0=$(cpu_ticks "${nodes_pids[@]}"); c0=$(cpu_ticks "${ch_pids[@]}"); r0=$(cpu_ticks "${redis_pids[@]}")
    h0=$(cpu_ticks "$cluster_dir/haproxy/pid"); m0=$(redis_used); s0=$(stream_bytes)
    "$loadgen" fleet -t "$2" --hj1239-target "$3" -n "$terminals" --interval "$interval" --duration "$duration" \
        --seed "$seed" --check-clickhouse "$bench_clickhouse" --clickhouse-database "$bench_database" \
        --check-platform-record "$bench_platform_record" --check-wait 300s --json -q "${@:4}" >"$json" 2>"$out_dir/$name.log" || true
    local n1 c1 r1 h1 m1 s1
    n1=$(cpu_ticks "${nodes_pids[@]}"); c1=$(cpu_ticks "${ch_pids[@]}"); r1=$(cpu_ticks "${redis_pids[@]}")
    h1=$(cpu_ticks "$cluster_dir/haproxy/pid"); m1=$(redis_used); s1=$(stream_bytes)
    python3 - "$json" "$name" "$terminals" "$interval" $((n1 - n0)) $((c1 - c0)) $((r1 - r0)) $((h1 - h0)) $((m1 - m0 - (s1 - s0))) <<'EOF'
import json, sys
path, name, terminals, interval, node, ch, redis, haproxy, redis_bytes = sys.argv[1:]
d = json.load(open(path)); r = d["report"]; c = r["counters"]
acked = c["framesAcknowledged"]
secs = float(interval.rstrip("s")) if interval.endswith("s") and not interval.endswith("ms") else float(interval.rstrip("ms")) / 1000
us = lambda ticks: f"{int(ticks) * 10_000 / acked:.1f}"  # 100 ticks per second -> µs per frame
checks = f"clickhouse {'PASS' if d['clickHouse']['passed'] else 'FAIL'}, platform {'PASS' if d['platform']['passed'] else 'FAIL'}"
print(f"| {name} | {int(terminals):,} | {int(terminals) / secs:,.0f} | {r['acknowledgedPerSecond']:,.0f} | {r['dataLatency']['p99Ms']:.1f} | {us(node)} | {us(ch)} | {us(redis)} | {us(haproxy)} | {checks} |")
with open(path + ".redis", "w") as f:
    f.write(f"{int(redis_bytes) / int(terminals):.0f}\n")
EOF
}

# INGEST_BENCH_ORDER="two-nodes one-node" swaps the runs (what the first run leaves behind, merges, weighs on the second).
for which in ${INGEST_BENCH_ORDER:-one-node two-nodes}; do
    case "$which" in
        one-node) run one-node "127.0.0.1:$((base + 10))" "127.0.0.1:$((base + 11))" ;;
        two-nodes) run two-nodes "$bench_terminal" "$bench_terminal_hj1239" ;;
        # Two nodes without the balancer: GB/T 32960-2016 terminals (60 %) to node 1, the others to node 2.
        two-nodes-direct) run two-nodes-direct "127.0.0.1:$((base + 10))" "127.0.0.1:$((base + 21))" \
            --gb2025-target "127.0.0.1:$((base + 20))" ;;
    esac
done

echo
echo "Redis used_memory growth per new vehicle (masters only, live stream excluded): one-node run $(cat "$out_dir/one-node.json.redis") B, two-nodes run $(cat "$out_dir/two-nodes.json.redis") B"
shard1="127.0.0.1:$((base + 211))"
shard2="127.0.0.1:$((base + 213))"
curl -fsS "$bench_clickhouse/" --data-binary "
    SELECT table, sum(rows) AS total_rows, sum(bytes_on_disk) AS total_bytes, round(total_bytes / total_rows) AS bytes_per_row
    FROM (SELECT table, rows, bytes_on_disk FROM remote('$shard1', system, parts) WHERE database = '$bench_database' AND active
          UNION ALL
          SELECT table, rows, bytes_on_disk FROM remote('$shard2', system, parts) WHERE database = '$bench_database' AND active)
    GROUP BY table ORDER BY table FORMAT TSVWithNames"
