#!/usr/bin/env bash
# The Distributions panel (9) in the real binary: opened with Tab, what it says before the first
# step, the strips' value axes, the ratio's 1e-3 guide, the layer chosen with the arrows; at
# 80x24, 120x40 and 160x48; painted in colour, not under NO_COLOR=1, ASCII under LANG=C.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"

# tab_to NAME TEXT: Tab until TEXT is on screen (at most 12 times)
tab_to() {
    for _ in $(seq 1 12); do
        if screen | grep -qF -- "$2"; then ok "$1"; return 0; fi
        keys Tab
        sleep 0.15
    done
    bad "$1" "'$2' never on screen:"$'\n'"$(screen)"
}
steps() { for _ in $(seq 1 "$1"); do keys N; sleep 0.05; done; }

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    tag="$1x$2"
    start "$1" "$2" "$DS --no-questions lessons/04-vanishing-gradients.md"
    wait_for "$tag-opens" "page 1/5"
    keys NPage
    wait_for "$tag-plain-net" "Network (11 layers"
    tab_to "$tag-tab-opens-panel" "Distributions: layer 0"
    wait_for "$tag-before-first-step" "After each step: this layer's activations a"
    steps 6
    wait_for "$tag-title-steps" "Distributions: layer 0"
    wait_for "$tag-step-range" "steps 1-6"
    wait_for "$tag-a-axis" "2.92e-04 " # seed 1: layer 0's smallest sigmoid output in steps 1-6, the bottom label
    wait_for "$tag-dz-strip" "dL/dz"
    wait_for "$tag-guide" "1e-3     "
    if [ "$2" -ge 40 ]; then
        wait_for "$tag-legend" " L0 "
    else
        # no room for a legend: the label column gives the selected layer's ratio now, beside its ●
        if screen | grep "●" | grep -qE '[0-9]e-[0-9]+ '; then ok "$tag-ratio-now"; else bad "$tag-ratio-now" "$(screen)"; fi
    fi
    [ "$2" -ge 48 ] && wait_for "$tag-step-axis" "step 1"
    keys Down
    wait_for "$tag-down-next-layer" "Distributions: layer 1"
    # painted heat strips: 256-colour backgrounds on the panel's rows
    if tmux $SOCK capture-pane -e -p -t "$S" | grep -q $'\e\\[48;5;'; then ok "$tag-colour"; else bad "$tag-colour" "no painted cells"; fi
    # nothing cut: no ellipsis anywhere in the panel's title
    if screen | grep -F "Distributions:" | grep -qF "…"; then bad "$tag-uncut" "$(screen | grep -F Distributions:)"; else ok "$tag-uncut"; fi
done

# NO_COLOR=1: the same panel drawn with shading glyphs, no colour codes
start 80 24 "env NO_COLOR=1 $DS --no-questions lessons/04-vanishing-gradients.md"
wait_for nocolor-opens "page 1/5"
keys NPage
wait_for nocolor-plain-net "Network (11 layers"
tab_to nocolor-panel "Distributions: layer 0"
steps 4
wait_for nocolor-steps "steps 1-4"
if screen | grep -qE '[░▒▓█]'; then ok nocolor-shading; else bad nocolor-shading "no shading glyphs:"$'\n'"$(screen)"; fi
if tmux $SOCK capture-pane -e -p -t "$S" | grep -qE $'\e\\[(3|4)8;5;'; then bad nocolor-no-colour "colour codes under NO_COLOR"; else ok nocolor-no-colour; fi

# LANG=C: ASCII only, the guide line drawn with '-'
start 160 48 "env LANG=C LC_ALL=C $DS --no-questions lessons/04-vanishing-gradients.md"
wait_for ascii-opens "page 1/5"
keys NPage
wait_for ascii-plain-net "Network (11 layers"
tab_to ascii-panel "Distributions: layer 0"
steps 4
wait_for ascii-steps "steps 1-4"
wait_for ascii-legend "update ratio -- 1e-3"
if screen | LC_ALL=C grep -q $'[\x80-\xff]'; then bad ascii-only "non-ASCII bytes on screen"; else ok ascii-only; fi
