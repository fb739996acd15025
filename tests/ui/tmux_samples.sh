#!/usr/bin/env bash
# The Data panel's image views on lesson 12 (digits) in the real binary: the sample (a label,
# probability bars), the confusion matrix (counts that add up to the validation rows, the
# printed accuracy), the worst examples, the first-layer weights; colour codes with
# xterm-256color and none under NO_COLOR=1; ASCII under LANG=C; at 80x24, 120x40 and 160x48.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"

L12="$DS --no-questions lessons/12-digits.md"
cap_e() { tmux $SOCK capture-pane -e -p -t "$S"; }

# The matrix's counts on screen ("." is 0): the ten fields ending each row after the "t\p"
# header (the Data panel is the rightmost), up to the "true K:" line under it.
matrix_sum() {
    screen | awk '!on && index($0, "t\\p") {on = 1; next}
        on && index($0, "true ") {on = 0}
        on && NF >= 11 { for (i = NF - 9; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
        END {print s + 0}'
}

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    W=$1 H=$2 tag="${1}x${2}"
    start "$W" "$H" "$L12"
    wait_for "$tag-opens" "Capstone: reading handwritten digits"
    keys NPage NPage
    wait_for "$tag-experiment" "name       = mlp"
    keys m # the first m brings the Data panel into view, focused, at its first view (the sample)
    wait_for "$tag-sample-empty" "press n to load a batch"
    keys n
    wait_for "$tag-sample-label" "label "
    wait_for "$tag-sample-waits" "the prediction comes"
    keys n n
    wait_for "$tag-sample-predicted" "predicted "
    keys Down Down
    wait_for "$tag-sample-row" "row 3 of 32, up/down"
    if screen | grep -qE '[0-9] [█▉▊▋▌▍▎▏·]+ +[0-9]+%'; then ok "$tag-sample-bars"; else bad "$tag-sample-bars" "no bars:"$'\n'"$(screen)"; fi
    if cap_e | grep -q '48;5;2[3-5][0-9]m'; then ok "$tag-sample-grey-paint"; else bad "$tag-sample-grey-paint" "no grey cells"; fi
    keys m # the confusion matrix
    wait_for "$tag-confusion-waits" "appears after the first epoch"
    keys e
    wait_for "$tag-confusion-shown" "Data: confusion matrix, epoch 1"
    line=$(screen | grep -oE '[0-9]+/[0-9]+ (right )?= [0-9.]+%' | head -1)
    right=${line%%/*}; rest=${line#*/}; total=${rest%% *}
    [ "$total" = 359 ] && ok "$tag-confusion-total" || bad "$tag-confusion-total" "'$line'"
    # the printed validation accuracy (What just happened) equals the diagonal
    acc=$(screen | grep -oE 'accuracy [0-9.]+%' | tail -1 | grep -oE '[0-9.]+')
    mine=$(awk -v r="$right" -v n="$total" 'BEGIN {printf "%.1f", 100 * r / n}')
    [ -n "$acc" ] && [ "$acc" = "$mine" ] && ok "$tag-confusion-is-val-acc" \
        || bad "$tag-confusion-is-val-acc" "diagonal $right/$total = $mine%, printed '$acc'"
    if [ "$H" -ge 48 ]; then # the whole matrix on screen: its counts add up
        sum=$(matrix_sum)
        [ "$sum" = 359 ] && ok "$tag-confusion-sum" || bad "$tag-confusion-sum" "counts add to $sum:"$'\n'"$(screen)"
    else
        wait_for "$tag-confusion-says-what-fits" "up/down"
    fi
    if cap_e | grep -qE '48;5;(28|71|114|157|88|124|167|217)m'; then ok "$tag-confusion-paint"; else bad "$tag-confusion-paint" "no green/red cells"; fi
    keys Down Down Down
    wait_for "$tag-confusion-row" "true 3: "
    keys m # worst examples
    wait_for "$tag-worst" "Data: worst examples, #1 of"
    wait_for "$tag-worst-caption" "predicted "
    keys Down
    wait_for "$tag-worst-step" "worst examples, #2 of"
    keys m # weights
    wait_for "$tag-weights" "Data: weights of unit 0 of 128"
    wait_for "$tag-weights-range" "min w "
    keys Down Down
    wait_for "$tag-weights-unit" "weights of unit 2 of 128"
    if cap_e | grep -qE '48;5;(153|111|69|26|223|215|208|166)m'; then ok "$tag-weights-paint"; else bad "$tag-weights-paint" "no blue/orange cells"; fi
    keys q
done

# No colour: no colour codes, the picture in shading glyphs, the diagonal still told apart.
start 80 24 "NO_COLOR=1 $L12"
wait_for nocolor-opens "Capstone: reading handwritten digits"
keys NPage NPage m n n n
wait_for nocolor-sample "predicted "
if cap_e | grep -qE '\[(3|4)8;5;'; then bad nocolor-no-paint "colour codes under NO_COLOR"; else ok nocolor-no-paint; fi
if screen | grep -qE '[░▒▓█]'; then ok nocolor-glyph-picture; else bad nocolor-glyph-picture "no shading glyphs:"$'\n'"$(screen)"; fi
keys m e
wait_for nocolor-confusion "Data: confusion matrix, epoch 1"
if cap_e | grep -qE $'\e\\[7m *[0-9]+'; then ok nocolor-diagonal-reverse; else bad nocolor-diagonal-reverse "diagonal not in reverse video"; fi

# LANG=C: ASCII only in the Data panel (the ramp " .:-=+*#%@"), no half blocks.
tmux $SOCK kill-server 2>/dev/null
started=$((started + 1)); SOCK="-L $S-$started"
tmux $SOCK new-session -d -s "$S" -x 80 -y 24 -c "$ROOT" "env TERM=xterm-256color LANG=C LC_ALL=C bash --norc --noprofile"
tmux $SOCK set-option -t "$S" status off
keys "clear; $L12; echo EXITED \$?" Enter
wait_for ascii-opens "Capstone: reading handwritten digits"
keys NPage NPage m n n n
wait_for ascii-sample "predicted "
panel=$(screen | tail -9 | cut -c32-)
if printf '%s' "$panel" | LC_ALL=C grep -q '[^ -~]'; then bad ascii-only "non-ASCII in the Data panel:"$'\n'"$panel"; else ok ascii-only; fi
if printf '%s' "$panel" | grep -qE '[@%#*]{2}'; then ok ascii-ramp; else bad ascii-ramp "no ramp picture:"$'\n'"$panel"; fi
keys m m m
wait_for ascii-weights "Data: weights of unit 0 of 128"
if screen | grep -qE '[-+=#]{2}'; then ok ascii-weights-signs; else bad ascii-weights-signs "no +/- glyphs"; fi
wait_for ascii-weights-legend "negative: - ="

# A step back across an epoch's end: the last finished epoch's matrix, as going forwards shows.
start 120 40 "$L12"
wait_for back-opens "Capstone: reading handwritten digits"
keys NPage NPage m m e
wait_for back-epoch1 "Data: confusion matrix, epoch 1"
first=$(screen | grep -oE '[0-9]+/359 right' | head -1)
keys e
wait_for back-epoch2 "Data: confusion matrix, epoch 2"
keys b
wait_for back-shows-epoch1 "Data: confusion matrix, epoch 1"
again=$(screen | grep -oE '[0-9]+/359 right' | head -1)
[ -n "$first" ] && [ "$first" = "$again" ] && ok back-same-counts || bad back-same-counts "'$first' then '$again'"

# Monochrome at 80x24: each worst example's 8 pixel rows all drawn (captions beside them).
start 80 24 "NO_COLOR=1 $L12"
wait_for mono-worst-opens "Capstone: reading handwritten digits"
keys NPage NPage m m m e
wait_for mono-worst "Data: worst examples, #1 of"
# the panel's rows under its title that hold picture glyphs: 8 (a whole 8x8 digit)
rows=$(screen | awk '/Data: worst examples/ {on = 1; next} on' | grep -cE '[░▒▓█]{2}')
[ "$rows" -ge 8 ] && ok mono-worst-whole || bad mono-worst-whole "$rows picture rows:"$'\n'"$(screen)"
