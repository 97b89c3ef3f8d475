#!/usr/bin/env bash
# Local ClickHouse and Redis for development, tests and CI: no Docker, no systemd.
#
#   scripts/services.sh install                 apt-get install clickhouse-server clickhouse-client redis-server (when missing)
#   scripts/services.sh start  [clickhouse|redis|all]   start (idempotent: a running instance is left alone)
#   scripts/services.sh stop   [clickhouse|redis|all]   stop what this folder's pid files name
#   scripts/services.sh kill   [clickhouse|redis|all]   SIGKILL what the pid files name (crash tests)
#   scripts/services.sh status [clickhouse|redis|all]   exit 0 when every named service answers
#   scripts/services.sh env                     print the export lines the ingest host and the tests read
#
# Everything an instance writes lives under INGEST_SERVICES_DIR (default <repo>/var/services): config copy, data,
# logs, pid files. Several instances can run side by side when each has its own folder and ports.
#
# Environment (all optional):
#   INGEST_SERVICES_DIR          folder for config, data, logs and pid files   (default <repo>/var/services)
#   INGEST_CH_HTTP_PORT          ClickHouse HTTP port                           (default 18123)
#   INGEST_CH_TCP_PORT           ClickHouse native TCP port                     (default 19000)
#   INGEST_CH_INTERSERVER_PORT   ClickHouse interserver HTTP port               (default 19009)
#   INGEST_REDIS_PORT            Redis port                                     (default 16379)
#   INGEST_CH_START_TIMEOUT_S    seconds to wait for ClickHouse /ping           (default 60)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$script_dir/.." && pwd)"

services_dir="${INGEST_SERVICES_DIR:-$repo_dir/var/services}"
ch_http_port="${INGEST_CH_HTTP_PORT:-18123}"
ch_tcp_port="${INGEST_CH_TCP_PORT:-19000}"
ch_interserver_port="${INGEST_CH_INTERSERVER_PORT:-19009}"
redis_port="${INGEST_REDIS_PORT:-16379}"
ch_start_timeout_s="${INGEST_CH_START_TIMEOUT_S:-60}"
ch_stop_timeout_s=60

ch_dir="$services_dir/clickhouse"
ch_pid_file="$ch_dir/clickhouse-server.pid"
redis_dir="$services_dir/redis"
redis_pid_file="$redis_dir/redis-server.pid"

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------- install

install_packages() {
    local missing=()
    command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server)
    command -v clickhouse-client >/dev/null 2>&1 || missing+=(clickhouse-client)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
    if [ ${#missing[@]} -eq 0 ]; then
        log "packages already installed"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # No questions: keep existing config files, take package defaults, never read stdin.
    local apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt-get update -q </dev/null
    apt-get install "${apt_opts[@]}" "${missing[@]}" </dev/null
}

# ------------------------------------------------------------------------------------------------------- clickhouse

ch_url() { printf 'http://127.0.0.1:%s' "$ch_http_port"; }

ch_pings() { curl -fsS --max-time 2 "$(ch_url)/ping" >/dev/null 2>&1; }

# shellcheck source=lib/processes.sh
. "$script_dir/lib/processes.sh"

# Writes a private copy of the packaged config: own folders, own ports, loopback only, UTC.
ch_write_config() {
    local src=/etc/clickhouse-server
    [ -f "$src/config.xml" ] || die "$src/config.xml not found: run '$0 install' first"
    mkdir -p "$ch_dir"/{data,tmp,user_files,format_schemas,log,etc}
    sed \
        -e "s#<log>.*</log>#<log>$ch_dir/log/clickhouse-server.log</log>#" \
        -e "s#<errorlog>.*</errorlog>#<errorlog>$ch_dir/log/clickhouse-server.err.log</errorlog>#" \
        -e "s#<size>1000M</size>#<size>100M</size>#" \
        -e "s#<count>10</count>#<count>2</count>#" \
        -e "s#<http_port>[0-9]*</http_port>#<http_port>$ch_http_port</http_port>#" \
        -e "s#<tcp_port>[0-9]*</tcp_port>#<tcp_port>$ch_tcp_port</tcp_port>#" \
        -e "s#<interserver_http_port>[0-9]*</interserver_http_port>#<interserver_http_port>$ch_interserver_port</interserver_http_port><listen_host>127.0.0.1</listen_host><timezone>UTC</timezone>#" \
        -e "s#<path>/var/lib/clickhouse/</path>#<path>$ch_dir/data/</path>#" \
        -e "s#<tmp_path>.*</tmp_path>#<tmp_path>$ch_dir/tmp/</tmp_path>#" \
        -e "s#<user_files_path>.*</user_files_path>#<user_files_path>$ch_dir/user_files/</user_files_path>#" \
        -e "s#<format_schema_path>.*</format_schema_path>#<format_schema_path>$ch_dir/format_schemas/</format_schema_path>#" \
        "$src/config.xml" >"$ch_dir/etc/config.xml"
    cp "$src/users.xml" "$ch_dir/etc/users.xml"
    chown -R clickhouse:clickhouse "$ch_dir"
}

ch_start() {
    if pid_alive "$ch_pid_file" && ch_pings; then
        log "clickhouse already running (pid $(cat "$ch_pid_file"), $(ch_url))"
        return 0
    fi
    if ! pid_alive "$ch_pid_file" && ch_pings; then
        die "something else answers on $(ch_url): choose other ports (INGEST_CH_HTTP_PORT, INGEST_CH_TCP_PORT, INGEST_CH_INTERSERVER_PORT)"
    fi
    command -v clickhouse-server >/dev/null 2>&1 || die "clickhouse-server not installed: run '$0 install'"
    id clickhouse >/dev/null 2>&1 || die "user 'clickhouse' missing (it comes with the clickhouse-server package)"
    if ! pid_alive "$ch_pid_file"; then
        ch_write_config
        log "starting clickhouse on $(ch_url) (tcp $ch_tcp_port, data $ch_dir/data)"
        # setsid + nohup: the server outlives this shell; setpriv drops to the clickhouse user.
        setsid nohup setpriv --reuid=clickhouse --regid=clickhouse --init-groups \
            clickhouse-server --config-file="$ch_dir/etc/config.xml" \
            </dev/null >>"$ch_dir/log/stdout.log" 2>&1 &
        echo $! >"$ch_pid_file"
    fi
    local waited=0 step=0.1
    local limit=$((ch_start_timeout_s * 10))
    while ! ch_pings; do
        if ! pid_alive "$ch_pid_file"; then
            tail -n 30 "$ch_dir/log/clickhouse-server.err.log" "$ch_dir/log/stdout.log" >&2 2>/dev/null || true
            die "clickhouse exited during start-up (logs above, folder $ch_dir/log)"
        fi
        waited=$((waited + 1))
        [ "$waited" -lt "$limit" ] || die "clickhouse did not answer $(ch_url)/ping within ${ch_start_timeout_s}s"
        sleep "$step"
    done
    log "clickhouse ready: $(curl -fsS --max-time 2 "$(ch_url)/?query=SELECT%20version()")"
}

ch_stop() {
    if ! pid_alive "$ch_pid_file"; then
        rm -f "$ch_pid_file"
        log "clickhouse not running"
        return 0
    fi
    local pid waited=0
    pid="$(cat "$ch_pid_file")"
    log "stopping clickhouse (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while proc_running "$pid"; do
        waited=$((waited + 1))
        if [ "$waited" -ge $((ch_stop_timeout_s * 10)) ]; then
            log "clickhouse did not stop within ${ch_stop_timeout_s}s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    rm -f "$ch_pid_file"
}

ch_kill() { kill_by_pid_file clickhouse "$ch_pid_file"; }

ch_status() {
    if ch_pings; then
        log "clickhouse up: $(ch_url) pid $(cat "$ch_pid_file" 2>/dev/null || echo '?')"
    else
        log "clickhouse down: $(ch_url)"
        return 1
    fi
}

# ------------------------------------------------------------------------------------------------------------ redis

redis_pings() { [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null || true)" = "PONG" ]; }

redis_start() {
    if pid_alive "$redis_pid_file" && redis_pings; then
        log "redis already running (pid $(cat "$redis_pid_file"), 127.0.0.1:$redis_port)"
        return 0
    fi
    command -v redis-server >/dev/null 2>&1 || die "redis-server not installed: run '$0 install'"
    if ! pid_alive "$redis_pid_file" && redis_pings; then
        die "something else answers on 127.0.0.1:$redis_port: choose another port (INGEST_REDIS_PORT)"
    fi
    mkdir -p "$redis_dir"
    if ! pid_alive "$redis_pid_file"; then
        log "starting redis on 127.0.0.1:$redis_port"
        redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
            --dir "$redis_dir" --pidfile "$redis_pid_file" --logfile "$redis_dir/redis.log" </dev/null
    fi
    local waited=0
    while ! redis_pings; do
        waited=$((waited + 1))
        [ "$waited" -lt 200 ] || die "redis did not answer PING on 127.0.0.1:$redis_port within 20s (log $redis_dir/redis.log)"
        sleep 0.1
    done
    log "redis ready: 127.0.0.1:$redis_port"
}

redis_stop() {
    if ! pid_alive "$redis_pid_file"; then
        rm -f "$redis_pid_file"
        log "redis not running"
        return 0
    fi
    local pid waited=0
    pid="$(cat "$redis_pid_file")"
    log "stopping redis (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while proc_running "$pid"; do
        waited=$((waited + 1))
        if [ "$waited" -ge 300 ]; then
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    rm -f "$redis_pid_file"
}

redis_kill() { kill_by_pid_file redis "$redis_pid_file"; }

redis_status() {
    if redis_pings; then
        log "redis up: 127.0.0.1:$redis_port pid $(cat "$redis_pid_file" 2>/dev/null || echo '?')"
    else
        log "redis down: 127.0.0.1:$redis_port"
        return 1
    fi
}

# A crash, not a shutdown: SIGKILL, then wait until the process is gone.
kill_by_pid_file() { # name pid-file
    if ! pid_alive "$2"; then
        rm -f "$2"
        log "$1 not running"
        return 0
    fi
    local pid
    pid="$(cat "$2")"
    log "killing $1 (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
    while proc_running "$pid"; do sleep 0.05; done
    rm -f "$2"
}

# ---------------------------------------------------------------------------------------------------------- env

print_env() {
    cat <<EOF
export INGEST_ClickHouse__Endpoint=$(ch_url)
export INGEST_ClickHouse__Database=telematics
export INGEST_ClickHouse__User=default
export INGEST_ClickHouse__Password=
export INGEST_Redis__Endpoint=127.0.0.1:$redis_port
EOF
}

# ------------------------------------------------------------------------------------------------------------ main

each() { # action target
    case "${2:-all}" in
        clickhouse) "ch_$1" ;;
        redis) "redis_$1" ;;
        all)
            local rc=0
            "ch_$1" || rc=$?
            "redis_$1" || rc=$?
            return "$rc"
            ;;
        *) die "unknown service '$2' (clickhouse, redis or all)" ;;
    esac
}

case "${1:-}" in
    install) install_packages ;;
    start) each start "${2:-all}" ;;
    stop) each stop "${2:-all}" ;;
    kill) each kill "${2:-all}" ;;
    status) each status "${2:-all}" ;;
    env) print_env ;;
    *)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
