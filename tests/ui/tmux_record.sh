#!/usr/bin/env bash
# --record FILE.cast: the real binary records what it drew as asciicast v2 (a header line with
# version 2 and the terminal's size, then [time, "o", text] events), and the last frame seen on
# screen is in the last event. Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"
CAST="$ROOT/$BUILD/tmp/ui-record-$$.cast"
rm -f "$CAST"

start 80 24 "$DS --no-questions lessons/00-welcome.md --record $CAST"
wait_for record-opens "Welcome: watch a tiny net learn XOR"
keys n
wait_for record-step-1 "Load batch 1 of 1"
keys n
wait_for record-step-2 "Forward, layer 0 (dense 2->4, tanh)"
# the narration's formula line as shown, from its start to the row's end (one panel, one role)
last=$(screen | grep -oF "z[0][0] = b[0] + sum_i W[0][i]*x[i] =" -A0 | head -1)
last=$(screen | grep -F "$last" | head -1 | sed 's/.*\(z\[0\]\[0\] = \)/\1/; s/ *$//')
keys q
wait_for record-says-so "recorded "
[ -s "$CAST" ] && ok record-file-written || bad record-file-written "no $CAST"
head -1 "$CAST" | grep -qE '^\{"version": 2, "width": 80, "height": 24, "timestamp": [0-9]+, ' &&
    ok record-header || bad record-header "$(head -1 "$CAST")"
events=$(tail -n +2 "$CAST")
n=$(printf '%s\n' "$events" | grep -c .)
bad_lines=$(printf '%s\n' "$events" | grep -vcE '^\[[0-9]+\.[0-9]{6}, "o", ".*"\]$')
[ "$n" -ge 3 ] && [ "$bad_lines" -eq 0 ] && ok record-events || bad record-events "$n events, $bad_lines malformed"
# times never go backwards
printf '%s\n' "$events" | sed 's/^\[\([0-9.]*\),.*/\1/' | sort -c -n 2>/dev/null && ok record-times-ordered ||
    bad record-times-ordered "$(printf '%s\n' "$events" | cut -c1-20)"
lastev=$(printf '%s\n' "$events" | tail -1)
[ -n "$last" ] && printf '%s' "$lastev" | grep -qF -- "$last" && ok record-last-frame ||
    bad record-last-frame "'$last' not in the last event"
printf '%s' "$lastev" | grep -qF '\u001b[' && ok record-has-sgr || bad record-has-sgr "no escape sequences"
# a folder that does not exist: said before the screen is taken, nothing recorded
start 80 24 "$DS --no-questions lessons/00-welcome.md --record /nonexistent-dir/x.cast"
wait_for record-bad-path "cannot create"
wait_for record-bad-path-status "EXITED 1"
start 80 24 "$DS --no-questions lessons/00-welcome.md --record"
wait_for record-needs-name "--record needs a file name"
rm -f "$CAST"
