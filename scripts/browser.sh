#!/usr/bin/env bash
# The headless browser the status page tests run in (tests/Ingest.Tests/Http/StatusPage): Debian's chromium.
#
#   scripts/browser.sh install    apt-get install chromium when no chromium is on PATH (idempotent; needs root)
#   scripts/browser.sh check      exit 0 and print the version when a chromium is on PATH
#
# Without chromium the browser tests are skipped with a message, unless CI_REQUIRE_BROWSER=1 (as .ci/run sets it),
# where they fail instead.
set -euo pipefail

log() { printf 'browser: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_chromium() {
    local name
    for name in chromium chromium-browser google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

install_browser() {
    local found
    if found="$(find_chromium)"; then
        log "chromium already installed ($found)"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "installing chromium needs root (or: sudo apt-get install -y chromium)"
    log "installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        chromium fonts-liberation </dev/null
    found="$(find_chromium)" || die "chromium is still not on PATH after installing it"
    log "installed $("$found" --version 2>/dev/null | head -n 1)"
}

case "${1:-}" in
    install) install_browser ;;
    check)
        found="$(find_chromium)" || die "no chromium on PATH: run '$0 install'"
        "$found" --version 2>/dev/null | head -n 1
        ;;
    *) die "usage: $0 install|check" ;;
esac
