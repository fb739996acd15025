#!/usr/bin/env bash
# Malformed inputs: every tests/bad/NAME.case names a command and the one line deepstep must
# print for it. Line 1: the arguments after `deepstep` (split on spaces; paths from the
# project root). Line 2: the whole of what deepstep must write to stderr, exactly. The exit
# status must be non-zero, and nothing may be left behind in tests/bad/.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
DS="$BUILD/deepstep"
before=$(ls -A tests/bad | sort)
for c in tests/bad/*.case; do
    name=$(basename "$c" .case)
    args=$(sed -n 1p "$c")
    want=$(sed -n 2p "$c")
    # shellcheck disable=SC2086 # the arguments are split on spaces on purpose
    got=$(timeout 20 "$DS" $args 2>&1 >/dev/null </dev/null)
    status=$?
    if [ $status -eq 0 ]; then
        echo "FAIL $name: exit status 0"
    elif [ $status -eq 124 ]; then
        echo "FAIL $name: still running after 20 s"
    elif [ $status -ge 128 ] && [ $status -ne 130 ]; then
        echo "FAIL $name: killed by signal $((status - 128)): $got"
    elif [ "$got" != "$want" ]; then
        echo "FAIL $name: stderr was"$'\n'"  $got"$'\n'"expected"$'\n'"  $want"
    else
        echo "ok $name"
    fi
done
after=$(ls -A tests/bad | sort)
[ "$before" = "$after" ] && echo "ok bad-leaves-nothing" ||
    echo "FAIL bad-leaves-nothing: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -3)"
