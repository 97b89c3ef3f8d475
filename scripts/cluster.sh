#!/usr/bin/env bash
# A multi-node deployment on loopback, as a test bench: ZooKeeper, a ClickHouse cluster (2 shards x 2 replicas,
# ReplicatedReplacingMergeTree behind Distributed tables), a Redis Cluster (3 masters + 3 replicas), a simulated
# superior platform, N ingest nodes (own spool, own node name, own platform link) and HAProxy in front of them.
#
#   scripts/cluster.sh up                 install what is missing, start everything, print where it is (last lines)
#   scripts/cluster.sh down               stop everything this folder's pid files name, keep the data
#   scripts/cluster.sh destroy            down, then delete the cluster folder (data, spools, logs)
#   scripts/cluster.sh status             one line per process
#   scripts/cluster.sh env                the lines `up` prints last, plus the test's export lines
#   scripts/cluster.sh kill-node N        SIGKILL ingest node N (1-based)
#   scripts/cluster.sh start-node N       start ingest node N again (its spool drains where it stopped)
#   scripts/cluster.sh stop-clickhouse N  stop ClickHouse server N (1-4: shard 1 = 1,2; shard 2 = 3,4)
#   scripts/cluster.sh start-clickhouse N
#
# The bench admits every vehicle (Ingest:Admission=Open), relays every frame (RelayUnfiled) and its ClickHouse user
# `default` has no password: never expose it. Everything listens on 127.0.0.1 only.
#
# Environment (all optional):
#   INGEST_CLUSTER_DIR         folder for config, data, logs and pid files      (default <repo>/var/cluster)
#   INGEST_CLUSTER_PORT_BASE   first port of the block the bench uses, P..P+599 (default 27000)
#                              P+0 GB/T 32960, P+1 HJ 1239, P+2 ingest HTTP, P+3 ClickHouse HTTP (balancer),
#                              P+4 HAProxy stats, P+10n.. ingest node n, P+200+i ClickHouse i HTTP, P+210+i TCP,
#                              P+220+i interserver, P+301..P+306 Redis, P+311..P+316 their cluster bus, P+400
#                              ZooKeeper, P+500 platform. Keep the block below the kernel's ephemeral range
#                              (net.ipv4.ip_local_port_range, usually from 32768): an outgoing connection that
#                              happens to hold one of these ports stops the server that needs it from starting.
#   INGEST_CLUSTER_NODES       ingest nodes, 1-9                                (default 2)
#   INGEST_CLUSTER_DATABASE    ClickHouse database                              (default telematics)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$script_dir/.." && pwd)"

cluster_dir="${INGEST_CLUSTER_DIR:-$repo_dir/var/cluster}"
base="${INGEST_CLUSTER_PORT_BASE:-27000}"
nodes="${INGEST_CLUSTER_NODES:-2}"
database="${INGEST_CLUSTER_DATABASE:-telematics}"
cluster_name=telematics_cluster
ch_servers=4

terminal_port=$base
hj_port=$((base + 1))
http_port=$((base + 2))
ch_lb_port=$((base + 3))
stats_port=$((base + 4))
zk_port=$((base + 400))
platform_port=$((base + 500))
node_gb_port() { echo $((base + 10 * $1)); }
node_hj_port() { echo $((base + 10 * $1 + 1)); }
node_http_port() { echo $((base + 10 * $1 + 2)); }
ch_http_port() { echo $((base + 200 + $1)); }
ch_tcp_port() { echo $((base + 210 + $1)); }
ch_interserver_port() { echo $((base + 220 + $1)); }
redis_port() { echo $((base + 300 + $1)); }
redis_bus_port() { echo $((base + 310 + $1)); } # not the default +10000, which lands in the ephemeral range
ch_shard() { echo $(((($1) + 1) / 2)); }

ingest_bin="$repo_dir/src/Ingest/bin/Release/net10.0/Ingest"
loadgen_bin="$repo_dir/bench/LoadGen/bin/Release/net10.0/LoadGen"

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$nodes" =~ ^[1-9]$ ]] || die "INGEST_CLUSTER_NODES must be 1-9, not '$nodes'"
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ $((base + 599)) -le 65535 ] ||
    die "INGEST_CLUSTER_PORT_BASE must be 1024-64936, not '$base'"

# ------------------------------------------------------------------------------------------------------- processes

# shellcheck source=lib/processes.sh
. "$script_dir/lib/processes.sh"

stop_pid_file() { # name pid-file signal timeout-s
    if ! pid_alive "$2"; then
        rm -f "$2"
        return 0
    fi
    local pid waited=0
    pid="$(cat "$2")"
    log "stopping $1 (pid $pid, SIG$3)"
    kill "-$3" "$pid" 2>/dev/null || true
    while proc_running "$pid"; do
        waited=$((waited + 1))
        if [ "$waited" -ge $(($4 * 10)) ]; then
            log "$1 did not stop within $4 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    rm -f "$2"
}

wait_until() { # description timeout-s pid-file command...
    local what="$1" limit=$(($2 * 10)) pid_file="$3" waited=0
    shift 3
    until "$@" >/dev/null 2>&1; do
        if [ -n "$pid_file" ] && ! pid_alive "$pid_file"; then die "$what exited during start-up (see $cluster_dir)"; fi
        waited=$((waited + 1))
        [ "$waited" -lt "$limit" ] || die "$what did not come up within $(($limit / 10)) s"
        sleep 0.1
    done
}

port_busy() { python3 -c 'import socket,sys; s=socket.socket(); s.connect(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }

# --------------------------------------------------------------------------------------------------------- install

install_packages() {
    local missing=()
    [ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
    command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
    command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
    command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
}

build() {
    if [ ! -x "$ingest_bin" ] || [ ! -x "$loadgen_bin" ] || [ "${INGEST_CLUSTER_BUILD:-0}" = 1 ]; then
        log "building the ingest server and LoadGen (Release)"
        dotnet build "$repo_dir/src/Ingest/Ingest.csproj" -c Release -v quiet -nologo >&2
        dotnet build "$repo_dir/bench/LoadGen/LoadGen.csproj" -c Release -v quiet -nologo >&2
    fi
}

# ------------------------------------------------------------------------------------------------------- zookeeper

zk_ok() { [ "$(printf ruok | timeout 2 python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2); s.sendall(b"ruok"); print(s.recv(4).decode())' "$zk_port" 2>/dev/null)" = imok ]; }

zk_start() {
    local dir="$cluster_dir/zookeeper"
    pid_alive "$dir/pid" && zk_ok && return 0
    mkdir -p "$dir/data" "$dir/log"
    cat >"$dir/zoo.cfg" <<EOF
tickTime=2000
dataDir=$dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=200
admin.enableServer=false
4lw.commands.whitelist=ruok,mntr,stat
autopurge.purgeInterval=1
EOF
    log "starting zookeeper on 127.0.0.1:$zk_port"
    setsid nohup java -Xmx256m -Dzookeeper.log.dir="$dir/log" -Dzookeeper.root.logger=INFO,CONSOLE \
        -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar" \
        org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" </dev/null >>"$dir/log/stdout.log" 2>&1 &
    echo $! >"$dir/pid"
    wait_until zookeeper 60 "$dir/pid" zk_ok
}

# ------------------------------------------------------------------------------------------------------ clickhouse

ch_pings() { curl -fsS --max-time 2 "http://127.0.0.1:$(ch_http_port "$1")/ping"; }

ch_write_config() { # server
    local i=$1 dir="$cluster_dir/clickhouse-$1" src=/etc/clickhouse-server
    [ -f "$src/config.xml" ] || die "$src/config.xml not found (clickhouse-server package)"
    mkdir -p "$dir"/{data,tmp,user_files,format_schemas,log,etc}
    local replicas="" shard s r
    for s in 1 2; do
        replicas+="<shard><internal_replication>true</internal_replication>"
        for r in 1 2; do
            replicas+="<replica><host>127.0.0.1</host><port>$(ch_tcp_port $((2 * s - 2 + r)))</port></replica>"
        done
        replicas+="</shard>"
    done
    shard="$(ch_shard "$i")"
    # The packaged config with this server's folders and ports, loopback only, UTC; its sample clusters replaced by
    # ours, and the ZooKeeper and macros includes by this server's values.
    sed \
        -e "s#<log>.*</log>#<log>$dir/log/clickhouse-server.log</log>#" \
        -e "s#<errorlog>.*</errorlog>#<errorlog>$dir/log/clickhouse-server.err.log</errorlog>#" \
        -e "s#<size>1000M</size>#<size>100M</size>#" \
        -e "s#<count>10</count>#<count>2</count>#" \
        -e "s#<http_port>[0-9]*</http_port>#<http_port>$(ch_http_port "$i")</http_port>#" \
        -e "s#<tcp_port>[0-9]*</tcp_port>#<tcp_port>$(ch_tcp_port "$i")</tcp_port>#" \
        -e "s#<interserver_http_port>[0-9]*</interserver_http_port>#<interserver_http_port>$(ch_interserver_port "$i")</interserver_http_port><interserver_http_host>127.0.0.1</interserver_http_host><listen_host>127.0.0.1</listen_host><timezone>UTC</timezone>#" \
        -e "s#<path>/var/lib/clickhouse/</path>#<path>$dir/data/</path>#" \
        -e "s#<tmp_path>.*</tmp_path>#<tmp_path>$dir/tmp/</tmp_path>#" \
        -e "s#<user_files_path>.*</user_files_path>#<user_files_path>$dir/user_files/</user_files_path>#" \
        -e "s#<format_schema_path>.*</format_schema_path>#<format_schema_path>$dir/format_schemas/</format_schema_path>#" \
        -e "/<remote_servers incl/,/<\/remote_servers>/c\\    <remote_servers><$cluster_name>$replicas</$cluster_name></remote_servers>" \
        -e "s#<zookeeper incl=\"zookeeper-servers\" optional=\"true\" />#<zookeeper><node><host>127.0.0.1</host><port>$zk_port</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>#" \
        -e "s#<macros incl=\"macros\" optional=\"true\" />#<macros><shard>0$shard</shard><replica>ch$i</replica></macros>#" \
        -e "s#<mark_cache_size>[0-9]*</mark_cache_size>#<mark_cache_size>268435456</mark_cache_size>#" \
        "$src/config.xml" >"$dir/etc/config.xml"
    grep -q "<$cluster_name>" "$dir/etc/config.xml" || die "could not write the cluster into $dir/etc/config.xml"
    grep -q "<macros><shard>" "$dir/etc/config.xml" || die "could not write the macros into $dir/etc/config.xml"
    # An insert into a Distributed table returns once every shard has it (not when it sits in this server's queue):
    # the sink advances its spool cursor only for rows a shard holds.
    sed -e "0,/<default>/s##<default><insert_distributed_sync>1</insert_distributed_sync>#" \
        "$src/users.xml" >"$dir/etc/users.xml"
    chown -R clickhouse:clickhouse "$dir"
}

ch_start() { # server
    local i=$1 dir="$cluster_dir/clickhouse-$1"
    pid_alive "$dir/pid" && ch_pings "$i" >/dev/null 2>&1 && return 0
    if ! pid_alive "$dir/pid"; then
        port_busy "$(ch_http_port "$i")" && die "port $(ch_http_port "$i") is taken: choose INGEST_CLUSTER_PORT_BASE"
        ch_write_config "$i"
        log "starting clickhouse $i (shard $(ch_shard "$i")) on http $(ch_http_port "$i"), tcp $(ch_tcp_port "$i")"
        setsid nohup setpriv --reuid=clickhouse --regid=clickhouse --init-groups \
            clickhouse-server --config-file="$dir/etc/config.xml" </dev/null >>"$dir/log/stdout.log" 2>&1 &
        echo $! >"$dir/pid"
    fi
}

# ClickHouse 18.16 now and then aborts while starting (a glibc robust-mutex assertion, seen right after a restart):
# such a server is started again, twice at most. One that runs but does not answer is an error at once.
ch_wait() { # server
    local i=$1 attempt
    for attempt in 1 2 3; do
        if (wait_until "clickhouse $i" 90 "$cluster_dir/clickhouse-$i/pid" ch_pings "$i"); then return 0; fi
        pid_alive "$cluster_dir/clickhouse-$i/pid" && die "clickhouse $i did not answer within 90 s"
        log "clickhouse $i exited during start-up (attempt $attempt; see $cluster_dir/clickhouse-$i/log): starting it again"
        ch_start "$i"
    done
    die "clickhouse $i exited during start-up three times (see $cluster_dir/clickhouse-$i/log)"
}

ch_stop() { stop_pid_file "clickhouse $1" "$cluster_dir/clickhouse-$1/pid" TERM 60; }

# ----------------------------------------------------------------------------------------------------------- redis

redis_start() { # instance
    local i=$1 dir="$cluster_dir/redis-$1" port
    port="$(redis_port "$i")"
    pid_alive "$dir/pid" && return 0
    mkdir -p "$dir"
    log "starting redis $i on 127.0.0.1:$port"
    # No persistence: live state is rebuilt from ClickHouse when the sentinel key is gone (Redis:RebuildOnStart).
    redis-server --port "$port" --cluster-port "$(redis_bus_port "$i")" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" \
        --cluster-node-timeout 3000 --save '' --appendonly no --daemonize yes --dir "$dir" --pidfile "$dir/pid" \
        --logfile "$dir/redis.log" </dev/null
    wait_until "redis $i" 20 "" redis-cli -p "$port" ping
}

redis_endpoints() {
    local i list=""
    for i in 1 2 3 4 5 6; do list+="${list:+,}127.0.0.1:$(redis_port "$i")"; done
    echo "$list"
}

redis_cluster_ok() { redis-cli -p "$(redis_port 1)" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

redis_cluster_create() {
    redis_cluster_ok && return 0
    # Restarted servers keep the cluster in nodes.conf (their data is gone: no persistence): they only need to meet.
    if [ "$(redis-cli -p "$(redis_port 1)" cluster nodes 2>/dev/null | wc -l)" -gt 1 ]; then
        wait_until "redis cluster" 60 "" redis_cluster_ok
        return 0
    fi
    local i hosts=()
    for i in 1 2 3 4 5 6; do hosts+=("127.0.0.1:$(redis_port "$i")"); done
    log "creating the redis cluster (3 masters, 1 replica each)"
    redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$cluster_dir/redis-create.log" 2>&1 ||
        { cat "$cluster_dir/redis-create.log" >&2; die "redis-cli --cluster create failed"; }
    wait_until "redis cluster" 30 "" redis_cluster_ok
}

# -------------------------------------------------------------------------------------------------------- platform

platform_start() {
    local dir="$cluster_dir/platform"
    pid_alive "$dir/pid" && return 0
    mkdir -p "$dir"
    log "starting the simulated superior platform on 127.0.0.1:$platform_port"
    setsid nohup "$loadgen_bin" platform --listen "127.0.0.1:$platform_port" --record "$dir/record.json" \
        --record-interval 1s --duration 24h </dev/null >>"$dir/platform.log" 2>&1 &
    echo $! >"$dir/pid"
    wait_until platform 20 "$dir/pid" port_busy "$platform_port"
}

# ---------------------------------------------------------------------------------------------------------- ingest

node_ready() { curl -fsS --max-time 2 "http://127.0.0.1:$(node_http_port "$1")/readyz"; }

node_start() { # node
    local n=$1 dir="$cluster_dir/node-$1"
    pid_alive "$dir/pid" && return 0
    mkdir -p "$dir"
    log "starting ingest node-$n: GB/T 32960 $(node_gb_port "$n"), HJ 1239 $(node_hj_port "$n"), HTTP $(node_http_port "$n")"
    (
        cd "$dir"
        export INGEST_Ingest__NodeName="node-$n" \
            INGEST_Ingest__HttpUrl="http://127.0.0.1:$(node_http_port "$n")" \
            INGEST_Ingest__Listeners__0__Address=127.0.0.1 INGEST_Ingest__Listeners__0__Port="$(node_gb_port "$n")" \
            INGEST_Ingest__Listeners__1__Address=127.0.0.1 INGEST_Ingest__Listeners__1__Port="$(node_hj_port "$n")" \
            INGEST_Ingest__Admission=Open \
            INGEST_Spool__Directory="$dir/spool" \
            INGEST_ClickHouse__Endpoint="http://127.0.0.1:$ch_lb_port" \
            INGEST_ClickHouse__Database="$database" \
            INGEST_ClickHouse__Cluster="$cluster_name" \
            INGEST_ClickHouse__User=default INGEST_ClickHouse__Password= \
            INGEST_Redis__Endpoint="$(redis_endpoints)" \
            INGEST_Forwarder__Links__0__Name=national \
            INGEST_Forwarder__Links__0__Host=127.0.0.1 \
            INGEST_Forwarder__Links__0__Port="$platform_port" \
            INGEST_Forwarder__Links__0__Username=bench \
            INGEST_Forwarder__Links__0__Password=bench-password \
            INGEST_Forwarder__Links__0__PlatformCode=BENCHPLATFORM0001 \
            INGEST_Forwarder__Links__0__Filter__RelayUnfiled=true
        exec setsid nohup "$ingest_bin" serve </dev/null >>"$dir/ingest.log" 2>&1
    ) &
    echo $! >"$dir/pid"
}

node_wait() { wait_until "ingest node-$1" 90 "$cluster_dir/node-$1/pid" node_ready "$1"; }

node_kill() { stop_pid_file "ingest node-$1" "$cluster_dir/node-$1/pid" KILL 10; }

node_stop() { stop_pid_file "ingest node-$1" "$cluster_dir/node-$1/pid" TERM 30; }

# --------------------------------------------------------------------------------------------------------- haproxy

# One TCP front for a terminal protocol: leastconn over the nodes' ports for it, health from each node's /readyz.
terminal_frontend() { # name, front port, function giving node N's port
    cat <<EOF
frontend $1
    mode tcp
    bind 127.0.0.1:$2
    default_backend $1_nodes
backend $1_nodes
    mode tcp
    balance leastconn
    option httpchk GET /readyz
    retries 3
    option redispatch
EOF
    local n
    for n in $(seq 1 "$nodes"); do
        echo "    server node-$n 127.0.0.1:$("$3" "$n") check port $(node_http_port "$n") inter 1s fall 2 rise 2 on-marked-down shutdown-sessions"
    done
}

haproxy_config() {
    local n i cfg="$cluster_dir/haproxy/haproxy.cfg" maxconn hard
    # Two descriptors per proxied connection, within what this machine lets a process open.
    hard="$(ulimit -Hn)"
    [ "$hard" = unlimited ] && hard=1000000
    maxconn=$(((hard - 200) / 2))
    [ "$maxconn" -le 9000 ] || maxconn=9000
    mkdir -p "$cluster_dir/haproxy"
    {
        cat <<EOF
global
    maxconn $maxconn
    log stdout format raw local0 warning

defaults
    timeout connect 3s
    timeout client 10m
    timeout server 10m
    timeout check 2s
    log global

# Terminals: plain TCP, a connection stays on the node that accepted it; a node that fails its check (or is gone)
# gets no new connection, and a terminal that loses its node reconnects to another.
EOF
        terminal_frontend gb32960 "$terminal_port" node_gb_port
        terminal_frontend hj1239 "$hj_port" node_hj_port
        cat <<EOF
frontend ingest_http
    mode http
    bind 127.0.0.1:$http_port
    default_backend ingest_http_nodes
backend ingest_http_nodes
    mode http
    balance roundrobin
    option httpchk GET /readyz
EOF
        for n in $(seq 1 "$nodes"); do
            echo "    server node-$n 127.0.0.1:$(node_http_port "$n") check inter 1s fall 2 rise 2"
        done
        cat <<EOF
# ClickHouse: any server takes an insert into a Distributed table or a query over it; a stopped one is skipped.
frontend clickhouse
    mode http
    bind 127.0.0.1:$ch_lb_port
    default_backend clickhouse_servers
backend clickhouse_servers
    mode http
    balance roundrobin
    option httpchk GET /ping
    retries 3
    option redispatch
EOF
        for i in $(seq 1 "$ch_servers"); do
            echo "    server ch$i 127.0.0.1:$(ch_http_port "$i") check inter 1s fall 2 rise 2"
        done
        cat <<EOF
frontend stats
    mode http
    bind 127.0.0.1:$stats_port
    stats enable
    stats uri /
EOF
    } >"$cfg"
    haproxy -c -q -f "$cfg" || die "haproxy rejected $cfg"
}

haproxy_start() {
    local dir="$cluster_dir/haproxy"
    pid_alive "$dir/pid" && return 0
    haproxy_config
    log "starting haproxy: terminals 127.0.0.1:$terminal_port (HJ 1239 $hj_port), HTTP $http_port, ClickHouse $ch_lb_port"
    setsid nohup haproxy -f "$dir/haproxy.cfg" -p "$dir/pid" -db </dev/null >>"$dir/haproxy.log" 2>&1 &
    echo $! >"$dir/pid"
    wait_until haproxy 20 "$dir/pid" port_busy "$terminal_port"
}

# ------------------------------------------------------------------------------------------------------ lifecycle

print_env() {
    echo "platform_record=$cluster_dir/platform/record.json"
    echo "terminal_hj1239=127.0.0.1:$hj_port"
    echo "nodes=$nodes"
    echo "terminal=127.0.0.1:$terminal_port"
    echo "clickhouse=http://127.0.0.1:$ch_lb_port"
    echo "database=$database"
    echo "redis=127.0.0.1:$(redis_port 1)"
    echo "http=http://127.0.0.1:$http_port"
}

up() {
    install_packages
    build
    mkdir -p "$cluster_dir"
    zk_start
    local i n
    for i in $(seq 1 "$ch_servers"); do ch_start "$i"; done
    for i in 1 2 3 4 5 6; do redis_start "$i"; done
    redis_cluster_create
    platform_start
    for i in $(seq 1 "$ch_servers"); do ch_wait "$i"; done
    haproxy_start
    # Node 1 alone first: it runs the ON CLUSTER migrations, so two nodes do not race to create the same tables.
    node_start 1
    node_wait 1
    for n in $(seq 2 "$nodes"); do node_start "$n"; done
    for n in $(seq 2 "$nodes"); do node_wait "$n"; done
    log "up: $nodes ingest nodes, clickhouse 2 shards x 2 replicas, redis cluster 3+3, folder $cluster_dir"
    print_env
}

down() {
    local i n
    stop_pid_file haproxy "$cluster_dir/haproxy/pid" TERM 10
    for n in 1 2 3 4 5 6 7 8 9; do node_stop "$n"; done
    stop_pid_file platform "$cluster_dir/platform/pid" TERM 10
    for i in 1 2 3 4 5 6; do stop_pid_file "redis $i" "$cluster_dir/redis-$i/pid" TERM 10; done
    for i in $(seq 1 "$ch_servers"); do ch_stop "$i"; done
    stop_pid_file zookeeper "$cluster_dir/zookeeper/pid" TERM 20
}

status() {
    local name pid_file rc=0
    for pid_file in "$cluster_dir"/*/pid; do
        [ -f "$pid_file" ] || continue
        name="$(basename "$(dirname "$pid_file")")"
        if pid_alive "$pid_file"; then echo "$name up (pid $(cat "$pid_file"))"; else echo "$name down"; rc=1; fi
    done
    return "$rc"
}

node_arg() { [[ "${1:-}" =~ ^[1-9]$ ]] || die "expected an ingest node number 1-$nodes, not '${1:-}'"; }
ch_arg() { [[ "${1:-}" =~ ^[1-4]$ ]] || die "expected a ClickHouse server number 1-4, not '${1:-}'"; }

case "${1:-}" in
    up) up ;;
    down) down ;;
    destroy) down; rm -rf "$cluster_dir" ;;
    status) status ;;
    env) print_env ;;
    kill-node) node_arg "${2:-}"; node_kill "$2" ;;
    start-node) node_arg "${2:-}"; node_start "$2"; node_wait "$2" ;;
    stop-clickhouse) ch_arg "${2:-}"; ch_stop "$2" ;;
    start-clickhouse) ch_arg "${2:-}"; ch_start "$2"; ch_wait "$2" ;;
    *)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
