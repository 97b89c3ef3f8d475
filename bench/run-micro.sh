#!/usr/bin/env bash
# Runs the BenchmarkDotNet micro-benchmarks (bench/Ingest.Benchmarks) and prints where the results are.
#
#   bench/run-micro.sh            short job, every benchmark (a few minutes)
#   bench/run-micro.sh short      same
#   bench/run-micro.sh full       default job, every benchmark (long: tens of minutes)
#   bench/run-micro.sh codec      default job, codec benchmarks only (hot path, layout, decode, encode, framing)
#   bench/run-micro.sh hotpath    default job, CodecHotPathBenchmarks and Hj1239LayoutBenchmarks only
#   bench/run-micro.sh spool      short job, spool benchmarks only
#   bench/run-micro.sh args --filter '*Decode*' --job short   your own BenchmarkDotNet arguments
#   Extra arguments after a mode are passed on too (e.g. bench/run-micro.sh full --launchCount 2).
#
# The equivalent plain commands:
#   dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*' --job short
#   dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*'
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="${1:-short}"
[[ $# -gt 0 ]] && shift

case "$mode" in
  short) args=(--filter '*' --job short) ;;
  full)  args=(--filter '*') ;;
  codec) args=(--filter '*Codec*' '*Hj1239Layout*' '*Framing*') ;;
  hotpath) args=(--filter '*CodecHotPath*' '*Hj1239Layout*') ;;
  spool) args=(--filter '*Spool*' --job short) ;;
  args)  args=() ;;
  *) echo "usage: $0 [short|full|codec|hotpath|spool|args] [BenchmarkDotNet arguments...]" >&2; exit 2 ;;
esac

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
artifacts="$root/bench/BenchmarkDotNet.Artifacts/$mode-$stamp"

echo "== $(date -u '+%F %T') UTC, $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== dotnet run -c Release --project bench/Ingest.Benchmarks -- ${args[*]} $* --artifacts $artifacts"
dotnet run -c Release --project bench/Ingest.Benchmarks -- "${args[@]}" "$@" --artifacts "$artifacts"

echo
echo "== Results (GitHub-flavoured tables, CSV, HTML): $artifacts/results/"
ls -1 "$artifacts/results/"*-report-github.md 2>/dev/null | sed 's/^/   /' || true
echo "== Full log (includes the spool's records/commit lines): $(ls -1 "$artifacts"/*.log 2>/dev/null | head -1)"
