#!/usr/bin/env bash
# valgrind memcheck over the real binary: a headless run (with --load, --save and --log), a
# lesson check, a bad input, and a scripted UI session in tmux. Any memory error or leak
# (definite, indirect or possible; ncurses' own caches are suppressed in valgrind.supp) fails.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
DS="$ROOT/$BUILD/deepstep"
T="$ROOT/$BUILD/tmp/valgrind"
rm -rf "$T" && mkdir -p "$T"
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes
    --suppressions="$ROOT/tests/valgrind.supp")

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }
vg() { # vg NAME EXPECTED-STATUS ARGS...: deepstep ARGS under valgrind
    local name=$1 want=$2; shift 2
    "${VG[@]}" --log-file="$T/$name.vg" "$DS" "$@" >"$T/$name.out" 2>&1
    local st=$?
    if [ -s "$T/$name.vg" ]; then bad "$name" "$(head -20 "$T/$name.vg")"
    elif [ $st -ne "$want" ]; then bad "$name" "exit $st, expected $want: $(tail -3 "$T/$name.out")"
    else ok "$name"; fi
}

vg vg-run-save 0 run lessons/12-digits.md --steps 60 --save "$T/w.npz" --log "$T/log.csv"
vg vg-run-load 0 run lessons/12-digits.md --load "$T/w.npz" --steps 20
vg vg-run-ensemble 0 run lessons/07-overfitting.md --experiment ensemble --epochs 2 --quiet
vg vg-run-compare 0 run lessons/05-batch-normalisation.md --compare
vg vg-check 0 check lessons/00-welcome.md tests/fixtures/quiz.md
vg vg-bad-lesson 1 run tests/bad
vg vg-float 0 float 0.1

# The UI: step through a batch, step back, run, open the help, the list, quit.
S="deepstep-vg-$$"
SOCK="-L $S"
tmux $SOCK new-session -d -s "$S" -x 100 -y 30 -c "$ROOT" "env TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile"
tmux $SOCK send-keys -t "$S" "clear; ${VG[*]} --log-file=$T/ui.vg $DS --no-questions lessons/00-welcome.md; echo EXITED \$?" Enter
screen_has() { for _ in $(seq 1 300); do tmux $SOCK capture-pane -p -t "$S" | grep -qF -- "$1" && return 0; sleep 0.1; done; return 1; }
ui_ok=1
screen_has "page 1/5" || ui_ok=0
for k in n n n n n n n n b b N r; do tmux $SOCK send-keys -t "$S" "$k"; sleep 0.3; done
sleep 1
for k in r '?' x NPage NPage Escape; do tmux $SOCK send-keys -t "$S" "$k"; sleep 0.5; done
screen_has "01-values-in-range.md" || ui_ok=0
tmux $SOCK send-keys -t "$S" q
screen_has "EXITED" || ui_ok=0
status=$(tmux $SOCK capture-pane -p -t "$S" | sed -n 's/.*EXITED \([0-9]*\).*/\1/p' | tail -1)
tmux $SOCK kill-server 2>/dev/null
if [ $ui_ok -ne 1 ]; then bad vg-ui "the session did not reach every screen (status '$status')"
elif [ -s "$T/ui.vg" ] || [ "$status" != 0 ]; then bad vg-ui "exit '$status': $(head -20 "$T/ui.vg")"
else ok vg-ui; fi

# Questions: the fixture's two, one answered wrong then right after a step back, the choice
# answered, then the editor opened and closed. A server of its own: a new session on the
# first one's socket can reach that server while it is still shutting down.
SOCK="-L $S-quiz"
tmux $SOCK new-session -d -s "$S" -x 100 -y 30 -c "$ROOT" "env TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile"
tmux $SOCK send-keys -t "$S" "clear; ${VG[*]} --log-file=$T/quiz.vg $DS tests/fixtures/quiz.md; echo EXITED \$?" Enter
ui_ok=1
screen_has "page 1/2" || ui_ok=0
for k in n n n n n n n; do tmux $SOCK send-keys -t "$S" "$k"; sleep 0.3; done
screen_has "Question 1 of 2" || ui_ok=0
for k in 5 Enter Space b n 0 . 0 1 Enter Space n b Enter; do tmux $SOCK send-keys -t "$S" "$k"; sleep 0.4; done
screen_has "The engine: layer0.max_update" || ui_ok=0
for k in Space E Escape; do tmux $SOCK send-keys -t "$S" "$k"; sleep 0.4; done
tmux $SOCK send-keys -t "$S" q
screen_has "EXITED" || ui_ok=0
status=$(tmux $SOCK capture-pane -p -t "$S" | sed -n 's/.*EXITED \([0-9]*\).*/\1/p' | tail -1)
tmux $SOCK kill-server 2>/dev/null
if [ $ui_ok -ne 1 ]; then bad vg-quiz "the session did not reach every screen (status '$status')"
elif [ -s "$T/quiz.vg" ] || [ "$status" != 0 ]; then bad vg-quiz "exit '$status': $(head -20 "$T/quiz.vg")"
else ok vg-quiz; fi
