#!/usr/bin/env bash
# The Data panel's input plane in the real binary: XOR (lessons/00-welcome.md) trained to the
# end, at 80x24, 120x40 and 160x48; in colour (xterm-256color), with NO_COLOR=1 and under LANG=C.
# After training every row is right: the legend says "wrong now: 0" and no mark is on the plot, and
# both classes have a region (their colours, or their shading glyphs).
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"

colour_screen() { tmux $SOCK capture-pane -e -p -t "$S"; }

# train_xor W H ENV: open the experiment's page, bring 8 Data into view, run to the end (fast)
train_xor() {
    start "$1" "$2" "$3 $DS --no-questions lessons/00-welcome.md"
    wait_for "$4-opened" "Welcome: watch a tiny net learn XOR" || return 1
    keys NPage NPage
    wait_for "$4-experiment-page" "page 3/5" || return 1
    keys 8
    wait_for "$4-data-panel" "Data: " || return 1
    keys + + + + + + r
    for _ in $(seq 1 300); do
        screen | grep -qF "finished: 1000 steps" && { ok "$4-trained"; return 0; }
        sleep 0.1
    done
    bad "$4-trained" "not finished:"$'\n'"$(screen)"
    return 1
}

# The rows of the Data panel: from its title down to its legend.
panel_rows() { screen | sed -n '/Data: /,/wrong now: /p'; }

for size in "80 24" "120 40" "160 48"; do
    set -- $size
    name="${1}x${2}"
    # --- colour ---
    if train_xor "$1" "$2" "" "$name-colour"; then
        p=$(panel_rows)
        printf '%s\n' "$p" | grep -qF "wrong now: 0" && ok "$name-colour-none-wrong" ||
            bad "$name-colour-none-wrong" "legend:"$'\n'"$p"
        marks=$(screen | grep -o "✖" | wc -l)
        [ "$marks" -eq 1 ] && ok "$name-colour-no-marks" || bad "$name-colour-no-marks" "$marks ✖ on screen (the legend has 1)"
        printf '%s\n' "$p" | grep -qE "shade:? P\((1|class 1)\)" && ok "$name-title-says-shade" ||
            bad "$name-title-says-shade" "$(printf '%s\n' "$p" | head -1)"
        printf '%s\n' "$p" | grep -qE "L0 units|layer 0('s)? units" && ok "$name-title-says-layer" ||
            bad "$name-title-says-layer" "$(printf '%s\n' "$p" | head -1)"
        printf '%s\n' "$p" | grep -qF "u3" && ok "$name-four-unit-maps" || bad "$name-four-unit-maps" "$p"
        printf '%s\n' "$p" | grep -q "…" && bad "$name-not-cut" "$p" || ok "$name-not-cut"
        c=$(colour_screen)
        # class 0's shades (orange) and class 1's (blue) both painted on the plot
        printf '%s\n' "$c" | grep -qE $'\e\\[48;5;(223|215|208)m' && ok "$name-class0-region" ||
            bad "$name-class0-region" "no orange background in the capture"
        printf '%s\n' "$c" | grep -qE $'\e\\[48;5;(153|111|69)m' && ok "$name-class1-region" ||
            bad "$name-class1-region" "no blue background in the capture"
        printf '%s\n' "$c" | grep -qF "▀" && ok "$name-half-blocks" || bad "$name-half-blocks" "no ▀ on screen"
    fi
    # --- NO_COLOR=1: no colour codes, the regions drawn with glyphs ---
    if train_xor "$1" "$2" "NO_COLOR=1" "$name-mono"; then
        p=$(panel_rows)
        printf '%s\n' "$p" | grep -qF "wrong now: 0" && ok "$name-mono-none-wrong" || bad "$name-mono-none-wrong" "$p"
        colour_screen | grep -qE $'\e\\[(38|48);5;|\e\\[(3|4)[0-7]m' && bad "$name-mono-no-colour" "colour codes under NO_COLOR" ||
            ok "$name-mono-no-colour"
        body=$(printf '%s\n' "$p" | sed '1d;$d')
        printf '%s\n' "$body" | grep -qE "▒" && printf '%s\n' "$body" | grep -qF "·" && ok "$name-mono-two-regions" ||
            bad "$name-mono-two-regions" "$p"
        marks=$(screen | grep -o "✖" | wc -l)
        [ "$marks" -eq 1 ] && ok "$name-mono-no-marks" || bad "$name-mono-no-marks" "$marks ✖ on screen"
    fi
    # --- LANG=C: ASCII only ---
    if train_xor "$1" "$2" "LANG=C LC_ALL=C NO_COLOR=1" "$name-ascii"; then
        p=$(panel_rows)
        printf '%s\n' "$p" | grep -qF "X wrong now: 0" && ok "$name-ascii-none-wrong" || bad "$name-ascii-none-wrong" "$p"
        screen | LC_ALL=C grep -q '[^ -~]' && bad "$name-ascii-only" "non-ASCII on screen:"$'\n'"$(screen)" ||
            ok "$name-ascii-only"
        body=$(printf '%s\n' "$p" | sed '1d;$d')
        printf '%s\n' "$body" | grep -qF "=" && printf '%s\n' "$body" | grep -qF "." && ok "$name-ascii-two-regions" ||
            bad "$name-ascii-two-regions" "$p"
    fi
done
cleanup
