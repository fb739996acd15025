#!/bin/sh
# tests/fuzz/run.sh - runs one libFuzzer target for a while and reports on it; called by
# tests/fuzz/fuzz.mk once per target (they run one after another), from the project root.
#   sh tests/fuzz/run.sh TARGET SECONDS MAX_LEN DICT
# Environment (fuzz.mk sets them): FUZZ_BUILD (build/fuzz), FUZZ_RSS_MB (2048),
# FUZZ_TIMEOUT (10), FUZZ_KEEP_GOING (0/1), FUZZ_FLAGS (extra libFuzzer flags).
# Seeds: tests/fuzz/corpus/TARGET is copied into FUZZ_BUILD/corpus/TARGET, which the fuzzer
# grows (and which is kept for the next run). Log: FUZZ_BUILD/logs/TARGET.log. Findings:
# FUZZ_BUILD/crashes/TARGET-{crash,leak,timeout,oom,slow-unit}-SHA1; each new one is run
# again to print its first sanitizer lines and top stack frames (one report per distinct
# SUMMARY line). Appends one line to FUZZ_BUILD/logs/summary.txt. Exit status 1 when the
# target crashed or left a finding, else 0.
# shellcheck disable=SC2012 # the file names are libFuzzer's: <target>-<kind>-<sha1>
set -u
t=$1 secs=$2 maxlen=$3 dict=$4
B=${FUZZ_BUILD:-build/fuzz}
rss=${FUZZ_RSS_MB:-2048}
tmo=${FUZZ_TIMEOUT:-10}
bin=$B/fuzz_$t
corpus=$B/corpus/$t
log=$B/logs/$t.log
mkdir -p "$corpus" "$B/crashes" "$B/logs"
cp tests/fuzz/corpus/"$t"/* "$corpus"/
limits="-rss_limit_mb=$rss -malloc_limit_mb=$rss -timeout=$tmo"
mode=""
case ${FUZZ_KEEP_GOING:-0} in 1 | yes) mode="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1" ;; esac
dictflag=""
[ -n "$dict" ] && dictflag="-dict=$dict"

# The harnesses' temporary files (and fork mode's) go in a directory of their own, removed
# afterwards: a crashing process exits without removing its files.
TMPDIR=$(pwd)/$B/tmp/$t
export TMPDIR
rm -rf "$TMPDIR"; rmdir "$B/tmp" 2>/dev/null
mkdir -p "$TMPDIR"

before=$(ls "$B/crashes")
echo "fuzz: $t: $secs s, max_len $maxlen, corpus $corpus, log $log"
start=$(date +%s)
# shellcheck disable=SC2086 # flag lists are split on purpose
"$bin" "$corpus" -max_total_time="$secs" -max_len="$maxlen" $dictflag -artifact_prefix="$B/crashes/$t-" \
    $limits -print_final_stats=1 $mode ${FUZZ_FLAGS:-} >"$log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))

# Executions and exec/s: libFuzzer's final stats (printed at the end and when it stops at a
# crash), else "Done N runs", else the last status line (fork mode prints only those).
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in.*/\1/p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[^0-9].*/\1/p' "$log" | tail -n 1)
[ -n "$eps" ] || { [ -n "$execs" ] && [ "$elapsed" -gt 0 ] && eps=$((execs / elapsed)); }

nl='
'
# New files in crashes/, and those the log names (an input found again has the same name).
new=$({
    ls "$B/crashes" | while read -r f; do
        case "$nl$before$nl" in *"$nl$f$nl"*) ;; *) echo "$f" ;; esac
    done
    sed -n 's|.*Test unit written to .*/||p' "$log"
} | sort -u)
ncrash=$(printf '%s\n' "$new" | grep -c .)
status=0
[ "$rc" -ne 0 ] || [ "$ncrash" -ne 0 ] && status=1

line=$(printf '%-7s %12s execs %9s exec/s %5s s  corpus %5s files  findings %s' "$t" "${execs:-?}" "${eps:-?}" \
    "$elapsed" "$(ls "$corpus" | wc -l | tr -d ' ')" "$ncrash")
[ "$rc" -ne 0 ] && [ "$ncrash" -eq 0 ] && line="$line (libFuzzer exit status $rc, no finding written: see $log)"
echo "fuzz: $line"
echo "$line" >>"$B/logs/summary.txt"

# Each new finding, replayed with the same limits: what the sanitizer said and where. One
# report per distinct (SUMMARY line, top frame); repeats are counted (fork mode writes every
# crash it meets, mostly the same bug). All findings: $B/logs/$t.findings (key, then file).
found=$B/logs/$t.findings
: >"$found"
replayed=0
for f in $new; do
    replayed=$((replayed + 1))
    if [ "$replayed" -gt "${FUZZ_MAX_REPLAY:-40}" ]; then
        echo "fuzz:   ... $((ncrash - replayed + 1)) more findings not replayed (FUZZ_MAX_REPLAY=${FUZZ_MAX_REPLAY:-40})"
        break
    fi
    # shellcheck disable=SC2086
    out=$("$bin" $limits "$B/crashes/$f" 2>&1)
    summary=$(printf '%s\n' "$out" | grep -m 1 -E '^SUMMARY:|^fuzz: invariant')
    [ -n "$summary" ] || summary=$(printf '%s\n' "$out" | grep -m 1 -E 'ERROR: libFuzzer|==ERROR|runtime error')
    case $f in *slow-unit-*)
        [ -n "$summary" ] || summary="slow unit (over -report_slow_units, 10 s): replay took$(printf '%s\n' "$out" |
            sed -n 's/^Executed .* in \([0-9]*\) ms$/ \1 ms/p')" ;;
    esac
    [ -n "$summary" ] || summary="(does not reproduce alone: see $log)"
    frames=$(printf '%s\n' "$out" | grep -E '^ +#[0-9]+ 0x[0-9a-f]+ in ' |
        grep -v -E ' in (__[^ ]*|fuzzer::[^ ]*|malloc|calloc|realloc|free|main|_start) |compiler-rt|/sanitizer_common/|/asan/|/ubsan/' |
        head -n 4)
    key="$summary | $(printf '%s\n' "$frames" | head -n 1 | sed 's/^ *#[0-9]* 0x[0-9a-f]* in //')"
    if ! cut -f 1 "$found" | grep -q -x -F -e "$key"; then
        echo "fuzz:   $B/crashes/$f"
        printf '%s\n' "$out" | grep -m 1 -E 'runtime error:|==ERROR:|ERROR: libFuzzer|^fuzz: invariant' | sed 's/^/fuzz:     /'
        echo "fuzz:     $summary"
        [ -n "$frames" ] && printf '%s\n' "$frames" | sed 's/^ */fuzz:       /'
    fi
    printf '%s\t%s\n' "$key" "$B/crashes/$f" >>"$found"
done
if [ -s "$found" ]; then
    distinct=$(cut -f 1 "$found" | sort -u | wc -l | tr -d ' ')
    echo "fuzz:   $(wc -l <"$found" | tr -d ' ') findings replayed, $distinct distinct (list: $found)"
fi
rm -rf "$TMPDIR"; rmdir "$B/tmp" 2>/dev/null
exit $status
