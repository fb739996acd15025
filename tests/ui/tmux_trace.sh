#!/usr/bin/env bash
# The computation trace (t) on the real binary: step lesson 00 through the backward pass,
# select dL/dW in the inspector (Tab, i, g), press t, and read where the number came from:
# the same number as the inspector's, the terms of its sum, a node opened with the arrows, Esc
# closes. At 80x24, 120x40 and 160x48; colour, NO_COLOR=1 (no colour codes) and LANG=C (ASCII).
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"
cap_e() { tmux $SOCK capture-pane -e -p -t "$S"; }

# open_trace W H ENV TAG: lesson 00 stepped through backward, L0 dL/dW[0][0] traced
open_trace() {
    start "$1" "$2" "env $3 $DS --no-questions lessons/00-welcome.md"
    wait_for "$4-opens" "Welcome: watch a tiny net learn XOR" || return 1
    keys n n n n n n
    wait_for "$4-backward-done" "next: update L0" || return 1
    # Tab to 3 Inspector; it shows a, then i (W) and g (dL/dW)
    for _ in 1 2 3 4 5 6 7 8 9; do
        screen | grep -q "Inspector: layer 0" && break
        keys Tab
        sleep 0.1
    done
    keys i g
    wait_for "$4-inspector-dw" "Inspector: layer 0, dL/dW (4x2)" || return 1
    insp=$(screen | sed -n 's/.*\[0\]\[0\] = \([-0-9.e]*\).*/\1/p' | tail -1)
    [ -n "$insp" ] && ok "$4-inspector-value" || bad "$4-inspector-value" "no [0][0] = line:"$'\n'"$(screen)"
    keys t
    wait_for "$4-trace-open" "Where L0 dL/dW[0][0] came from" || return 1
    if screen | grep -qF "L0 dL/dW[0][0] = $insp "; then ok "$4-same-number"
    else bad "$4-same-number" "root is not the inspector's $insp:"$'\n'"$(screen)"; fi
    return 0
}

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    tag="utf8-$1x$2"
    open_trace "$1" "$2" "" "$tag" || continue
    wait_for "$tag-terms" "r=0: "
    wait_for "$tag-sum" "Σ of 4 terms = $insp"
    wait_for "$tag-keys" "↑↓ move"
    # the selected row (the root) in colour; the box's rules drawn with box lines
    if cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+)'; then ok "$tag-colour"; else bad "$tag-colour" "no colour codes"; fi
    wait_for "$tag-box" "┌─ Where"
    keys Down Right Right
    wait_for "$tag-opened-term" "dL/dz["
    wait_for "$tag-rule" "= dL/da · f'(z)"
    keys Right
    wait_for "$tag-chain" "Σ_k L1 dL/dz["
    keys Escape
    sleep 0.3
    if screen | grep -qF "came from"; then bad "$tag-esc-closes" "trace still shown"; else ok "$tag-esc-closes"; fi
    wait_for "$tag-back-to-inspector" "Inspector: layer 0, dL/dW"
    keys t
    wait_for "$tag-t-reopens" "Where L0 dL/dW[0][0] came from"
    keys t
    sleep 0.3
    if screen | grep -qF "came from"; then bad "$tag-t-closes" "trace still shown"; else ok "$tag-t-closes"; fi
done

# 80x24: the tree outgrows the box and says so; PgDn scrolls on
open_trace 80 24 "" "scroll" && {
    for _ in 1 2 3 4 5 6 7 8; do keys Down Right; done
    keys PPage PPage PPage PPage PPage PPage # (Home: \e[1~, unnamed in xterm-256color's terminfo)
    wait_for scroll-more-below "more rows below"
    keys NPage NPage NPage NPage # (End: tmux sends \e[4~, which xterm-256color's terminfo does not name)
    wait_for scroll-above "rows above"
}

# a value not computed yet: the trace says what to step to
start 80 24 "$DS --no-questions lessons/00-welcome.md"
wait_for notyet-opens "Welcome: watch a tiny net learn XOR"
keys t
wait_for notyet-message "no batch loaded yet: press n"

# NO_COLOR=1: the same trace, no colour codes
if open_trace 80 24 "NO_COLOR=1" "mono"; then
    cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' && bad mono-no-colour "colour codes under NO_COLOR" || ok mono-no-colour
    wait_for mono-terms "r=0: "
fi

# LANG=C: ASCII only
if open_trace 120 40 "LANG=C LC_ALL=C" "ascii"; then
    wait_for ascii-box "+- Where L0 dL/dW[0][0] came from"
    wait_for ascii-sum "sum of 4 terms = $insp"
    wait_for ascii-keys "up/down move"
    box=$(screen | sed -n '/Where L0/,/Esc\/t close/p')
    if printf '%s' "$box" | LC_ALL=C grep -q '[^ -~]'; then bad ascii-only "non-ASCII in the box:"$'\n'"$box"
    else ok ascii-only; fi
fi
