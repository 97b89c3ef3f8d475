# Process helpers shared by scripts/services.sh and scripts/cluster.sh (sourced, not run).

# Running and not a zombie (an orphan whose parent does not reap it still answers kill -0).
proc_running() { # pid
    kill -0 "$1" 2>/dev/null || return 1
    local state
    state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)"
    [ -n "$state" ] && [ "$state" != Z ]
}

pid_alive() { # pid file
    [ -f "$1" ] || return 1
    local pid
    pid="$(cat "$1" 2>/dev/null || true)"
    [ -n "$pid" ] && proc_running "$pid"
}
