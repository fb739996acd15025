#!/usr/bin/env bash
# Drives the real binary in tmux as a person would: keys in, screen text out.
# Prints "ok NAME" or "FAIL NAME: why".
set -u
BUILD=${1:-build}
DS="$(cd "$(dirname "$0")/../.." && pwd)/$BUILD/deepstep"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
S="deepstep-ui-$$"
SOCK="-L $S-0"
started=0

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }
screen() { tmux $SOCK capture-pane -p -t "$S"; }
# wait_for NAME TEXT: poll the screen for up to 5 s
wait_for() {
    for _ in $(seq 1 50); do
        if screen | grep -qF -- "$2"; then ok "$1"; return 0; fi
        sleep 0.1
    done
    bad "$1" "'$2' not on screen:"$'\n'"$(screen)"
    return 1
}
keys() { tmux $SOCK send-keys -t "$S" "$@"; }
start() { # start W H COMMAND; each session gets its own server, so no start races a dying one
    tmux $SOCK kill-server 2>/dev/null
    started=$((started + 1))
    SOCK="-L $S-$started"
    tmux $SOCK new-session -d -s "$S" -x "$1" -y "$2" -c "$ROOT" \
        "env TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile"
    tmux $SOCK set-option -t "$S" status off
    keys "clear; $3; echo EXITED \$?" Enter
}
cleanup() { tmux $SOCK kill-server 2>/dev/null; }
trap cleanup EXIT

# --- a lesson at 80x24 ------------------------------------------------------------------
start 80 24 "$DS lessons/00-welcome.md"
wait_for opens-lesson-title "Welcome: watch a tiny net learn XOR"
wait_for shows-page-count "page 1/5"
keys NPage
wait_for pgdn-next-page "page 2/5"
keys NPage
wait_for experiment-shown "layer     = dense 4 tanh init=xavier"
keys '?'
wait_for help-shown "Any key closes this help."
keys x
sleep 0.2
if screen | grep -qF "Any key closes this help."; then bad help-closes "help still shown"; else ok help-closes; fi
tmux $SOCK resize-window -t "$S" -x 40 -y 10 2>/dev/null || tmux $SOCK resize-pane -t "$S" -x 40 -y 10
wait_for too-small "terminal too small (need 60x16)"
tmux $SOCK resize-window -t "$S" -x 160 -y 48 2>/dev/null || tmux $SOCK resize-pane -t "$S" -x 160 -y 48
wait_for recovers-after-resize "Welcome: watch a tiny net learn XOR"
keys q
wait_for q-quits "EXITED 0"
alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
[ "$alt" = 0 ] && ok q-restores-terminal || bad q-restores-terminal "alternate screen still on"
if screen | grep -q $'\x1b\|\[?1049\|\^\['; then bad no-stray-escapes "$(screen | cat -v | head -5)"; else ok no-stray-escapes; fi

# --- the browser, then Ctrl-C -------------------------------------------------------------
start 160 48 "$DS"
wait_for browser-lists-lessons "00-welcome.md"
wait_for browser-shows-titles "Capstone: reading handwritten digits"
keys Down Enter
wait_for browser-opens-lesson "page 1/"
keys C-c
wait_for ctrl-c-exits "EXITED 130"
alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
[ "$alt" = 0 ] && ok ctrl-c-restores-terminal || bad ctrl-c-restores-terminal "alternate screen still on"

# --- SIGTERM and ASCII fallback -----------------------------------------------------------
start 80 24 "LANG=C LC_ALL=C $DS --no-color lessons/00-welcome.md"
wait_for ascii-locale-opens "Welcome: watch a tiny net learn XOR"
wait_for ascii-fallback "net of 2 > 4 > 1" # the lesson's arrows, drawn as ASCII
pkill -TERM -f "$BUILD/deepstep --no-color lessons/00-welcome.md"
wait_for sigterm-exits "EXITED 143"
alt=$(tmux $SOCK display -p -t "$S" '#{alternate_on}')
[ "$alt" = 0 ] && ok sigterm-restores-terminal || bad sigterm-restores-terminal "alternate screen still on"
