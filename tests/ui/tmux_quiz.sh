#!/usr/bin/env bash
# Questions (```deepstep ask) on the real binary: step tests/fixtures/quiz.md until the first
# question stops the run, answer it right (0.01) and see the mark, the engine's value and the
# explanation; step back and forward to be asked again, answer wrong (5); then the multiple
# choice. At 80x24, 120x40 and 160x48; colour, NO_COLOR=1 (no colour codes) and LANG=C (ASCII).
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"
cap_e() { tmux $SOCK capture-pane -e -p -t "$S"; }

# to_question W H ENV TAG: the fixture opened and stepped to its first question
to_question() {
    start "$1" "$2" "env $3 $DS tests/fixtures/quiz.md"
    wait_for "$4-opens" "Quiz fixture" || return 1
    keys n n n n n n n
    wait_for "$4-asked" "Question 1 of 2" || return 1
    wait_for "$4-before" "stopped just before the step that shows it ('after clip')"
    return 0
}

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    tag="utf8-$1x$2"
    to_question "$1" "$2" "" "$tag" || continue
    wait_for "$tag-status-not-clipped" "parameters): clip"; wait_for "$tag-status-hint" "a question: Enter answers, Esc skips"
    keys 0 . 0 1 Enter
    wait_for "$tag-right" "✔ right: within 1 %"
    wait_for "$tag-value" "from clip.norm_after = 0.0099"
    wait_for "$tag-explain" "Clipping by norm rescales"
    wait_for "$tag-score" "1 right of 1 answered"
    if cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+)'; then ok "$tag-colour"; else bad "$tag-colour" "no colour codes"; fi
    keys Space
    sleep 0.3
    if screen | grep -qF "Question 1"; then bad "$tag-closes" "still shown"; else ok "$tag-closes"; fi
    wait_for "$tag-clipped" "next: update"
    keys b n
    wait_for "$tag-asked-again" "Question 1 of 2"
    keys 5 Enter
    wait_for "$tag-wrong" "✘ wrong: not within 1 %"
    wait_for "$tag-score-wrong" "0 right of 1 answered"
    keys Space n
    wait_for "$tag-choice" "Question 2 of 2"
    wait_for "$tag-choices" "b) 0.05"
    keys b Enter
    wait_for "$tag-choice-right" "The answer: b) 0.05"
    wait_for "$tag-choice-engine" "The engine: layer0.max_update = 0.0"
done

# Esc skips; the run goes on
to_question 80 24 "" "skip" && {
    keys Escape
    wait_for skip-message "question skipped"
    keys n
    wait_for skip-steps-on "next: update"
}

# NO_COLOR=1: the same question, no colour codes
if to_question 80 24 "NO_COLOR=1" "mono"; then
    cap_e | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' && bad mono-no-colour "colour codes under NO_COLOR" || ok mono-no-colour
    keys 1 Enter
    wait_for mono-wrong "wrong: not within"
fi

# LANG=C: ASCII only
if to_question 120 40 "LANG=C LC_ALL=C" "ascii"; then
    keys 0 . 0 1 Enter
    wait_for ascii-right "[right]: within 1 %"
    box=$(screen | sed -n '/Question 1 of 2/,/any key: go on/p')
    if printf '%s' "$box" | LC_ALL=C grep -q '[^ -~]'; then bad ascii-only "non-ASCII in the box:"$'\n'"$box"
    else ok ascii-only; fi
fi
