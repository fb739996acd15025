#!/usr/bin/env bash
# The experiment editor (E) on the real binary: open lesson 00, E, change the optimizer from
# sgd to adam in its list, apply, step to the first update and read adam's narration (m and v);
# type an invalid epochs value and see the parser's message and apply refused; compare the
# edited experiment with the lesson's. At 80x24, 120x40 and 160x48; colour, NO_COLOR=1 (no
# colour codes) and LANG=C (ASCII only). Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"
cap_e() { tmux $SOCK capture-pane -e -p -t "$S"; }

# down_to TAG PATTERN: Down until the selected row (">key") matches
down_to() {
    for _ in $(seq 1 30); do
        screen | grep -qE -- "$2" && { ok "$1"; return 0; }
        keys Down
        sleep 0.05
    done
    bad "$1" "'$2' never selected:"$'\n'"$(screen)"
    return 1
}

# edit_to_adam W H ENV TAG: lesson 00, E, optimizer -> adam, applied
edit_to_adam() {
    start "$1" "$2" "env $3 $DS --no-questions lessons/00-welcome.md"
    wait_for "$4-opens" "Welcome: watch a tiny net learn XOR" || return 1
    keys E
    wait_for "$4-form" "Edit experiment xor" || return 1
    wait_for "$4-unset-shown" "(not set: none)" || return 1
    down_to "$4-optimizer-row" '>optimizer +sgd lr=1.0' || return 1
    keys Enter
    sleep 0.2
    for _ in 1 2 3 4 5 6 7 8; do
        screen | grep -qE '> adam( |$)' && break
        keys Down
        sleep 0.05
    done
    if screen | grep -qE '> adam( |$)'; then ok "$4-adam-in-list"; else bad "$4-adam-in-list" "$(screen)"; return 1; fi
    keys Enter
    wait_for "$4-adam-set" "adam lr=1.0" || return 1
    wait_for "$4-edited-parses" "edited, parses" || return 1
    keys A
    wait_for "$4-applied-title" "(edited)" || return 1
    wait_for "$4-step0" "step 0" || return 1
    return 0
}

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    tag="utf8-$1x$2"
    edit_to_adam "$1" "$2" "" "$tag" || continue
    # step to the first update: the narration is adam's, with its m and v
    for _ in $(seq 1 10); do
        screen | grep -qF "m <- b1*m" && break
        keys n
        sleep 0.1
    done
    wait_for "$tag-narrates-adam" "with adam"
    wait_for "$tag-narrates-m" "m <- b1*m"
    wait_for "$tag-narrates-v" "v <- b2*v"
    if cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+)'; then ok "$tag-colour"; else bad "$tag-colour" "no colour codes"; fi
    # an invalid value: the parser's message under the row, apply refused
    keys E
    wait_for "$tag-form-again" "Edit experiment xor"
    wait_for "$tag-kept" "adam lr=1.0"
    down_to "$tag-epochs-row" '>epochs +1000'
    keys e C-u 1 2 x Enter
    wait_for "$tag-parser-message" "epochs: '12x' is not a whole number from 1 to 1000000"
    wait_for "$tag-not-parsing" "the block does not parse"
    keys A
    wait_for "$tag-apply-refused" "not applied"
    keys e C-u 5 Enter
    wait_for "$tag-fixed" "edited, parses"
    # compare with the lesson's: both runs, side by side
    keys C
    wait_for "$tag-compare-original" "xor: gradient norms"
    wait_for "$tag-compare-edited" "xor (edited): gradient norms"
    keys N
    wait_for "$tag-compare-steps" "step 1"
    keys Escape
    wait_for "$tag-back-to-form" "Edit experiment xor"
    keys Escape
    sleep 0.2
    if screen | grep -qF "Edit experiment"; then bad "$tag-esc-closes" "form still shown"; else ok "$tag-esc-closes"; fi
    keys q
    wait_for "$tag-quits" "EXITED 0"
done

# NO_COLOR=1: the same form, no colour codes
if edit_to_adam 80 24 "NO_COLOR=1" "mono"; then
    keys E
    wait_for mono-form "Edit experiment xor"
    cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' && bad mono-no-colour "colour codes under NO_COLOR" || ok mono-no-colour
fi

# LANG=C: ASCII only in the form and its keys
if edit_to_adam 120 40 "LANG=C LC_ALL=C" "ascii"; then
    keys E
    wait_for ascii-box "+- Edit experiment xor"
    wait_for ascii-keys "j/k row"
    box=$(screen | sed -n '/Edit experiment/,/Esc close/p')
    if printf '%s' "$box" | LC_ALL=C grep -q '[^ -~]'; then bad ascii-only "non-ASCII in the form:"$'\n'"$box"
    else ok ascii-only; fi
fi
