#!/usr/bin/env bash
# Drives the real binary in tmux as a person would: keys in, screen text out.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
. "$(dirname "$0")/tmux_lib.sh"

# --- a lesson at 80x24: step through a whole batch -----------------------------------------
start 80 24 "$DS --no-questions lessons/00-welcome.md"
wait_for opens-lesson-title "Welcome: watch a tiny net learn XOR"
wait_for shows-page-count "page 1/5"
wait_for network-panel "Network (2 layers, 17 parameters)"
wait_for narration-invites "Press n (or Space)"
keys n
wait_for step-load-batch "Load batch 1 of 1 (epoch 1): 4 rows"
keys n
wait_for step-forward-0 "Forward, layer 0 (dense 2->4, tanh)"
wait_for forward-has-numbers "z[0][0] = b[0] + sum_i W[0][i]*x[i] ="
keys n
wait_for step-forward-1 "Forward, layer 1 (dense 4->1, sigmoid)"
keys n
wait_for step-loss "Loss: binary cross-entropy"
wait_for loss-has-number "batch loss L = 0."
keys n
wait_for step-backward-1 "Backward, layer 1"
keys n
wait_for step-backward-0 "Backward, layer 0"
wait_for backward-has-numbers "dL/dz[0][0] = "
keys n
wait_for step-update-0 "Update, layer 0 (dense 2->4, tanh), with sgd"
wait_for update-has-formula "w <- w - lr*g ="
keys n
wait_for step-update-1 "Update, layer 1"
before=$(screen)
keys n
wait_for step-end-batch "Step 1 done (epoch 1, batch 1 of 1)"
keys b
sleep 0.3
back=$(screen)
[ "$back" = "$before" ] && ok step-back-same-screen || bad step-back-same-screen "screen after b differs from before n"
keys n
wait_for step-forward-again "Step 1 done (epoch 1, batch 1 of 1)"
# run and pause: the step counter moves, then stops
keys r
wait_for running-shown "[running x16] epoch"
keys r
sleep 0.3
s1=$(screen | sed -n 's/.* step \([0-9]*\) .*/\1/p' | tail -1)
sleep 0.4
s2=$(screen | sed -n 's/.* step \([0-9]*\) .*/\1/p' | tail -1)
[ -n "$s1" ] && [ "$s1" -gt 1 ] && ok run-trained || bad run-trained "step counter '$s1'"
[ "$s1" = "$s2" ] && ok pause-stops || bad pause-stops "step moved from $s1 to $s2 while paused"
keys NPage NPage
wait_for experiment-shown "layer     = dense 4 tanh"
keys '?'
wait_for help-shown "any key closes this help"
keys x
sleep 0.2
if screen | grep -qF "any key closes this help"; then bad help-closes "help still shown"; else ok help-closes; fi
tmux $SOCK resize-window -t "$S" -x 40 -y 10 2>/dev/null || tmux $SOCK resize-pane -t "$S" -x 40 -y 10
wait_for too-small "terminal too small (need 60x16)"
tmux $SOCK resize-window -t "$S" -x 80 -y 24 2>/dev/null || tmux $SOCK resize-pane -t "$S" -x 80 -y 24
wait_for recovers-after-resize "Welcome: watch a tiny net learn XOR"
keys q
wait_for q-quits "EXITED 0"
alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
[ "$alt" = 0 ] && ok q-restores-terminal || bad q-restores-terminal "alternate screen still on"
if screen | grep -q $'\x1b\|\[?1049\|\^\['; then bad no-stray-escapes "$(screen | cat -v | head -5)"; else ok no-stray-escapes; fi

# --- 160x48: every panel, on a real classifier -----------------------------------------------
start 160 48 "$DS --no-questions lessons/12-digits.md"
wait_for wide-opens "Capstone: reading handwritten digits"
keys N N n n
wait_for wide-inspector "Inspector: layer 0, a (32x128)"
wait_for wide-activations "Activation ranges"
wait_for wide-gradients "Gradient norms, log scale"
wait_for wide-curves "Loss per step"
wait_for wide-narration "Forward, layer 0 (dense 64->128, relu)"
keys e
wait_for wide-epoch "Epoch 1 done: train loss"
wait_for wide-validation "validation (held-out rows, eval mode): loss"
keys S
wait_for screen-saved "screen saved to ./12-digits-step45.txt"
[ -s "$ROOT/12-digits-step45.txt" ] && grep -q "Epoch 1 done" "$ROOT/12-digits-step45.txt" && ok screen-file ||
    bad screen-file "12-digits-step45.txt missing or without the narration"
rm -f "$ROOT/12-digits-step45.txt"
keys q
wait_for wide-quits "EXITED 0"

# --- make run's lesson: Esc leads to the list of lessons -------------------------------------
start 100 30 "$DS --no-questions lessons/00-welcome.md"
wait_for direct-lesson-opens "page 1/5"
keys Escape
wait_for esc-lists-lessons "01-values-in-range.md"
keys Enter
wait_for list-reopens-first-lesson "Welcome: watch a tiny net learn XOR"
keys q
wait_for direct-lesson-quits "EXITED 0"

# --- the browser, then Ctrl-C -------------------------------------------------------------
start 160 48 "$DS"
wait_for browser-lists-lessons "00-welcome.md"
wait_for browser-shows-titles "Keeping values in range: scale your inputs"
keys Down Enter
wait_for browser-opens-lesson "page 1/"
keys C-c
wait_for ctrl-c-exits "EXITED 130"
alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
[ "$alt" = 0 ] && ok ctrl-c-restores-terminal || bad ctrl-c-restores-terminal "alternate screen still on"

# --- signals, and the ASCII fallback ------------------------------------------------------
# The pane's shell writes deepstep's pid (exec keeps it) to a file of our own: a signal can
# reach only this process, and nothing beyond bash and tmux is needed (no procps).
mkdir -p "$ROOT/$BUILD/tmp"
PIDFILE="$ROOT/$BUILD/tmp/ui-pid-$$"
start_pid() { # start_pid W H ARGS...: deepstep ARGS, its pid in $PIDFILE
    local w=$1 h=$2; shift 2
    rm -f "$PIDFILE"
    start "$w" "$h" "sh -c 'echo \$\$ >$PIDFILE; exec $DS $*'"
    for _ in $(seq 1 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
}
alt_off() { # alt_off NAME: the alternate screen is off again (the terminal was restored)
    local alt
    alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
    [ "$alt" = 0 ] && ok "$1" || bad "$1" "alternate screen still on"
}
start 80 24 "LANG=C LC_ALL=C sh -c 'echo \$\$ >$PIDFILE; exec $DS --no-color --no-questions lessons/00-welcome.md'"
wait_for ascii-locale-opens "Welcome: watch a tiny net learn XOR"
wait_for ascii-fallback "of 2 > 4 > 1" # the lesson's arrows, drawn as ASCII
kill -TERM "$(cat "$PIDFILE")"
wait_for sigterm-exits "EXITED 143"
alt_off sigterm-restores-terminal

start_pid 80 24 lessons/00-welcome.md
wait_for sighup-opens "page 1/5"
kill -HUP "$(cat "$PIDFILE")"
wait_for sighup-exits "EXITED 129"
alt_off sighup-restores-terminal

# Ctrl-Z stops it with the terminal restored; fg brings the same screen back.
start 80 24 "$DS --no-questions lessons/00-welcome.md"
wait_for tstp-opens "page 1/5"
keys n n
wait_for tstp-stepped "Forward, layer 0 (dense 2->4, tanh)"
keys C-z
wait_for tstp-stops "EXITED 148" # the shell's $? for a job stopped by SIGTSTP (128 + 20)
alt_off tstp-restores-terminal
keys "fg; echo FG-EXITED \$?" Enter
wait_for fg-redraws "Forward, layer 0 (dense 2->4, tanh)"
wait_for fg-redraws-title "Welcome: watch a tiny net learn XOR"
keys n
wait_for fg-keys-work "Forward, layer 1 (dense 4->1, sigmoid)"
keys q
wait_for fg-quits "FG-EXITED 0"
alt_off fg-quit-restores-terminal
rm -f "$PIDFILE"

# --- the float lab ---------------------------------------------------------------------------
start 100 30 "$DS lab"
wait_for lab-opens "float lab: see the bits"
wait_for lab-absorbed "fp32  10000000000   = A: B was absorbed"
keys Right Right Right Space
wait_for lab-flips-a-bit "flipped exponent bit 3 of fp32: now 2.3283064365386963"
keys q
wait_for lab-quits "EXITED 0"

# --- colour: roles carry colour pairs; NO_COLOR leaves only bold, underline and reverse ---------
colours() { tmux $SOCK capture-pane -e -p -t "$S" | grep -oE $'\x1b\\[[0-9;]*m' | tr ';' '\n' | tr -d '\033[m' | sort -u; }
start 120 40 "$DS --no-questions lessons/01-values-in-range.md"
wait_for colour-lesson "page 1/6"
keys PgDn N N n n n n n
wait_for colour-stepped "Backward, layer"
c=$(colours)
# 31 red, 32 green, 33 yellow, 34 blue, 36 cyan, 46 cyan background: the roles differ by colour
for want in 32 33 34 36 46; do
    echo "$c" | grep -qx "$want" || { bad colour-shows "SGR $want missing from: $(echo $c)"; break; }
done && ok colour-shows
keys q
wait_for colour-quits "EXITED 0"
start 120 40 "NO_COLOR=1 $DS --no-questions lessons/01-values-in-range.md"
wait_for nocolour-lesson "page 1/6"
keys PgDn n n n n n
wait_for nocolour-stepped "Backward, layer"
if colours | grep -qE '^(3[0-7]|4[0-7]|9[0-7]|38|48)$'; then bad nocolour-none "colour codes under NO_COLOR: $(colours | tr '\n' ' ')"; else ok nocolour-none; fi
keys q
wait_for nocolour-quits "EXITED 0"

# --- Tab reaches every panel at every size (at 80x24 the detail panels take turns) -------------
for size in "80 24" "120 40" "160 48"; do
    set -- $size
    start "$1" "$2" "$DS --no-questions lessons/01-values-in-range.md"
    wait_for "tab-$1-open" "page 1/6"
    keys PgDn n n n n n
    wait_for "tab-$1-stepped" "Backward, layer"
    seen=""
    for _ in 1 2 3 4 5 6 7 8; do
        keys Tab
        sleep 0.15
        seen="$seen $(screen | grep -oE '─ [A-Z][A-Za-z :(]{0,20}' | tr '\n' ' ')"
    done
    missing=""
    for t in "Lesson" "Network" "Inspector" "What just" "Activation ranges" "Gradient norms" "Loss per"; do
        echo "$seen" | grep -qF "$t" || missing="$missing [$t]"
    done
    [ -z "$missing" ] && ok "tab-$1x$2-every-panel" || bad "tab-$1x$2-every-panel" "never shown:$missing"
    keys q
    wait_for "tab-$1-quits" "EXITED 0"
done

# --- no terminal to draw on: one line, non-zero exit -----------------------------------------
start 80 24 "TERM=dumb $DS --no-questions lessons/00-welcome.md"
sleep 0.5
screen_joined | grep -qF "cannot move the cursor, which the lesson viewer needs; try TERM=xterm-256color" && ok dumb-says || bad dumb-says "$(screen)"
wait_for dumb-exits "EXITED 1"
start 80 24 "$DS --no-questions lessons/00-welcome.md | cat; echo PIPE \${PIPESTATUS[0]}"
sleep 0.5
screen_joined | grep -qF "needs a terminal on standard output (it is piped or redirected)" && ok piped-says ||
    bad piped-says "$(screen)"
wait_for piped-exits "PIPE 1"
if screen | grep -q 'Welcome: watch'; then bad piped-no-ui "the UI drew into the pipe"; else ok piped-no-ui; fi
