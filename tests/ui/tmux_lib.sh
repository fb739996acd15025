# tmux_lib.sh - sourced by the tests/ui/tmux_*.sh scripts: start the real binary in tmux,
# send keys, read the screen. Each script prints "ok NAME" or "FAIL NAME: why".
# shellcheck shell=bash
BUILD=${1:-build}
DS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/$BUILD/deepstep"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
S="deepstep-ui-$$"
SOCK="-L $S-0"
started=0

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }
screen() { tmux $SOCK capture-pane -p -t "$S"; }
screen_joined() { tmux $SOCK capture-pane -p -J -t "$S"; } # lines the terminal wrapped, joined
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
