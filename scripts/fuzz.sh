#!/usr/bin/env bash
# Coverage-guided fuzzing of the framer, both decoders and the session read loop with AFL++ and SharpFuzz
# (tests/Fuzz/README.md says what each target checks).
#
#   bash scripts/fuzz.sh framer 900          one target for 900 s
#   bash scripts/fuzz.sh all 900             every target for 900 s each, one after another
#   FUZZ_JOBS=2 bash scripts/fuzz.sh all 900 two targets at a time
#   FUZZ_JOBS=2 bash scripts/fuzz.sh gb32960,session 1200   a list of targets
#   bash scripts/fuzz.sh keep framer|all     minimise a target's AFL queue (afl-cmin) into tests/Fuzz/Corpus/TARGET.tsv
#
# Targets: framer, gb32960, hj1239, session. Installs what is missing (afl++ from Debian, the SharpFuzz tool from
# NuGet), publishes tests/Fuzz, instruments the Protocol and Ingest assemblies, writes the seed corpus from
# tests/Protocol.Tests/Vectors/vectors.tsv, runs afl-fuzz at nice 19 and prints executions, coverage, crashes and
# hangs per target. Everything goes under var/fuzz/ (gitignored): findings/TARGET/default/{crashes,hangs,queue}
# and results.tsv, one line per run. A second run of a target resumes from its previous queue.
set -euo pipefail

usage() { echo "usage: $0 TARGET[,TARGET...]|all SECONDS | $0 keep TARGET[,TARGET...]|all   (targets: framer gb32960 hj1239 session)" >&2; exit 2; }
[ $# -eq 2 ] || usage
mode=fuzz
if [ "$1" = keep ]; then
    mode=keep
    shift
    set -- "$1" 0
fi
what="$1" seconds="$2"
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
targets=(${what//,/ })
[ "$what" = all ] && targets=(framer gb32960 hj1239 session)
for target in "${targets[@]}"; do
    case "$target" in framer|gb32960|hj1239|session) ;; *) usage ;; esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
work="$repo/var/fuzz"
tools="$work/tools"
bin="$work/bin"      # instrumented: only runs under afl-fuzz (its coverage writes need AFL's shared memory)
plain="$work/plain"  # the same program uninstrumented: seeds, replaying findings, corpus lines
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$work"

# --- what is missing --------------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null; then
    echo "== installing afl++ (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
    echo "== installing the SharpFuzz instrumentation tool"
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

# --- build and instrument ---------------------------------------------------------------------------------------
# A clean publish for every fuzzing run: sharpfuzz rewrites the assemblies in place, and must never see them twice.
# `keep` reuses the build the queue was made with.
if [ "$mode" = fuzz ] || [ ! -f "$bin/Ingest.Fuzz.dll" ] || [ ! -f "$plain/Ingest.Fuzz.dll" ]; then
    echo "== publishing tests/Fuzz"
    rm -rf "$bin" "$plain"
    nice -n 19 dotnet publish "$repo/tests/Fuzz/Ingest.Fuzz.csproj" -c Release -o "$plain" -v quiet -nologo >/dev/null
    cp -r "$plain" "$bin"
    for assembly in Ingest.Protocol.dll Ingest.dll; do
        echo "== instrumenting $assembly"
        "$tools/sharpfuzz" "$bin/$assembly"
    done
fi
dotnet_path="$(command -v dotnet)"

# --- keep: the AFL queue, minimised, becomes the committed corpus that the unit tests replay -----------------------
if [ "$mode" = keep ]; then
    for target in "${targets[@]}"; do
        queue="$work/findings/$target/default/queue" min="$work/cmin/$target" file="$repo/tests/Fuzz/Corpus/$target.tsv"
        [ -d "$queue" ] || { echo "$target: no queue at $queue (fuzz it first)" >&2; exit 1; }
        rm -rf "$min"
        echo "== afl-cmin $target ($(ls "$queue" | wc -l) queue entries)"
        AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 nice -n 19 afl-cmin -i "$queue" -o "$min" -t 10000 -m none \
            -- "$dotnet_path" "$bin/Ingest.Fuzz.dll" "$target" >"$work/cmin-$target.log" 2>&1 \
            || { tail -20 "$work/cmin-$target.log" >&2; exit 1; }
        # Keep the comments and the named (finding) lines; replace the previous AFL entries; at most 1 KiB each.
        { grep -v '^afl-' "$file" || true; dotnet "$plain/Ingest.Fuzz.dll" corpus afl 1024 "$min"; } >"$file.new"
        mv "$file.new" "$file"
        echo "$target: $(grep -c '^afl-' "$file") AFL inputs in $file"
    done
    exit 0
fi

# --- seeds --------------------------------------------------------------------------------------------------------
rm -rf "$work/seeds"
dotnet "$plain/Ingest.Fuzz.dll" seeds "$repo/tests/Protocol.Tests/Vectors/vectors.tsv" "$work/seeds"

# --- fuzz ---------------------------------------------------------------------------------------------------------
stat_of() { sed -n "s/^$2 *: *//p" "$1" | head -1; }

fuzz_one() {
    local target="$1" out="$work/findings/$1"
    mkdir -p "$out"
    echo "== fuzzing $target for $seconds s (log: $out/afl.log)"
    # The target is `dotnet` (not AFL-instrumented itself: SharpFuzz reports coverage of the rewritten assemblies),
    # hence the binary check is skipped. -m none: the runtime reserves far more address space than it uses.
    # -t 10000: an input still running after 10 s is a hang. No CPU pinning: the machine is shared.
    AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_AUTORESUME=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SHUFFLE_QUEUE=0 \
        nice -n 19 afl-fuzz -i "$work/seeds/$target" -o "$out" -t 10000 -m none -V "$seconds" \
        -x "$repo/tests/Fuzz/protocol.dict" \
        -- "$dotnet_path" "$bin/Ingest.Fuzz.dll" "$target" >"$out/afl.log" 2>&1 || {
            echo "afl-fuzz failed for $target; last lines of $out/afl.log:" >&2
            tail -20 "$out/afl.log" >&2
            return 1
        }
}

report_one() {
    local target="$1" out="$work/findings/$1/default"
    local stats="$out/fuzzer_stats"
    if [ ! -f "$stats" ]; then
        echo "$target: no fuzzer_stats (see $work/findings/$target/afl.log)"
        return 1
    fi
    local run execs eps paths edges bitmap crashes hangs
    run=$(stat_of "$stats" run_time); execs=$(stat_of "$stats" execs_done); eps=$(stat_of "$stats" execs_per_sec)
    paths=$(stat_of "$stats" corpus_count); edges=$(stat_of "$stats" edges_found); bitmap=$(stat_of "$stats" bitmap_cvg)
    crashes=$(stat_of "$stats" saved_crashes); hangs=$(stat_of "$stats" saved_hangs)
    printf '%-8s %6ss  execs %-9s %8s exec/s  paths %-5s edges %-5s bitmap %-7s crashes %-3s hangs %s\n' \
        "$target" "$run" "$execs" "$eps" "$paths" "$edges" "$bitmap" "$crashes" "$hangs"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$run" "$execs" "$eps" "$paths" \
        "$edges" "$bitmap" "$crashes" "$hangs" >>"$work/results.tsv"
    # Each crash replayed outside AFL, with the invariant or exception it broke.
    if compgen -G "$out/crashes/id*" >/dev/null; then
        dotnet "$plain/Ingest.Fuzz.dll" replay "$target" "$out"/crashes/id* | sed 's/^/    /' | head -60 || true
    fi
    if compgen -G "$out/hangs/id*" >/dev/null; then
        echo "    hangs: $(ls "$out"/hangs/id* | wc -l) in $out/hangs"
    fi
}

jobs="${FUZZ_JOBS:-1}"
running=0
for target in "${targets[@]}"; do
    fuzz_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

[ -f "$work/results.tsv" ] || printf 'finished\ttarget\trun_s\texecs\texec_per_s\tpaths\tedges\tbitmap\tcrashes\thangs\n' >"$work/results.tsv"
echo
echo "== results (also appended to $work/results.tsv)"
status=0
for target in "${targets[@]}"; do
    report_one "$target" || status=1
done
exit $status
