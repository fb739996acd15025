/* term.c - the only file that talks to ncurses: set up, copy frames, read keys, restore.
 * The terminal is restored on every way out: normal quit, error, Ctrl-C, SIGTERM (the
 * handlers only set a flag; the loop restores and exits), and exit() via atexit. */
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "app.h"
#include "keys.h"
#include "../common/clock.h"

static volatile sig_atomic_t got_signal;

static int curses_active;
static int use_color, use_utf8;

static void on_signal(int sig) { got_signal = sig; }

static void restore_terminal(void)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

static attr_t role_attr(role r)
{
    if (use_color)
        switch (r) {
        case ROLE_TITLE: return COLOR_PAIR(1) | A_BOLD;
        case ROLE_STATUS: return COLOR_PAIR(1);
        case ROLE_HEADING: return COLOR_PAIR(2) | A_BOLD;
        case ROLE_CODE: return COLOR_PAIR(3);
        case ROLE_DIM: return A_DIM;
        case ROLE_GOOD: return COLOR_PAIR(4);
        case ROLE_WARN: return COLOR_PAIR(5) | A_BOLD;
        case ROLE_BAD: return COLOR_PAIR(6) | A_BOLD;
        case ROLE_SELECTED: return A_REVERSE;
        case ROLE_EMPH: return A_UNDERLINE;
        case ROLE_STRONG: return A_BOLD;
        default: return A_NORMAL;
        }
    switch (r) { /* monochrome: bold and reverse only */
    case ROLE_TITLE: case ROLE_STATUS: case ROLE_SELECTED: return A_REVERSE;
    case ROLE_HEADING: case ROLE_STRONG: case ROLE_WARN: case ROLE_BAD: return A_BOLD;
    case ROLE_EMPH: return A_UNDERLINE;
    default: return A_NORMAL;
    }
}

/* Without a UTF-8 locale, draw ASCII stand-ins. */
static wchar_t ascii_of(uint32_t cp)
{
    switch (cp) {
    case 0x2022: return '*';
    case 0x2014: case 0x2013: case 0x2500: return '-';
    case 0x2191: return '^';
    case 0x2193: return 'v';
    case 0x2190: return '<';
    case 0x2192: return '>';
    case 0x2502: return '|';
    case 0x253C: return '+';
    case 0x2248: return '~';
    case 0x00D7: return 'x';
    case 0x00B7: return '.';
    case 0x2550: return '=';
    case 0x2501: return '=';
    case 0x2503: return '|';
    case 0x25CF: return 'o';
    case 0x2026: return '~';
    case 0x270E: return '*';
    case 0x21AA: return '>';
    case 0x2605: return '*';
    case 0x2219: return '.';
    default: return cp < 0x80 ? (wchar_t)cp : '?';
    }
}

static void blit(const frame *f)
{
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            const cell *c = &f->cells[(size_t)y * f->w + x];
            wchar_t wc[2] = {use_utf8 ? (wchar_t)c->ch : ascii_of(c->ch), 0};
            cchar_t cc;
            setcchar(&cc, wc, role_attr((role)c->role), 0, NULL);
            mvadd_wch(y, x, &cc);
        }
    wnoutrefresh(stdscr);
    doupdate();
}

static int map_key(int ch)
{
    switch (ch) {
    case KEY_UP: return K_UP;
    case KEY_DOWN: return K_DOWN;
    case KEY_LEFT: return K_LEFT;
    case KEY_RIGHT: return K_RIGHT;
    case KEY_NPAGE: return K_PGDN;
    case KEY_PPAGE: return K_PGUP;
    case KEY_HOME: return K_HOME;
    case KEY_END: return K_END;
    case KEY_ENTER: case '\r': return K_ENTER;
    case KEY_BACKSPACE: case 127: case 8: return K_BACKSPACE;
    case KEY_BTAB: return K_BTAB;
    default: return ch >= 0 && ch < 0x1000 ? ch : KEY_NONE;
    }
}

/* A mouse event as one of our keys (click position goes into the app). */
static int map_mouse(app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return KEY_NONE;
    a->mouse_x = ev.x;
    a->mouse_y = ev.y;
    if (ev.bstate & BUTTON4_PRESSED)
        return K_WHEEL_UP;
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED)
        return K_WHEEL_DOWN;
#endif
    if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED))
        return K_MOUSE;
    return KEY_NONE;
}

static void start_curses(const ui_options *o)
{
    const char *loc = setlocale(LC_ALL, "");
    const char *cs = loc ? setlocale(LC_CTYPE, NULL) : NULL;
    use_utf8 = cs && (strstr(cs, "UTF-8") || strstr(cs, "utf8") || strstr(cs, "UTF8"));
    initscr();
    curses_active = 1;
    atexit(restore_terminal);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    timeout(100); /* wake up to notice signals */
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                  | BUTTON5_PRESSED
#endif
              , NULL);
    mouseinterval(0);
    const char *nc = getenv("NO_COLOR");
    use_color = has_colors() && !o->no_color && !(nc && nc[0]);
    if (use_color) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_BLACK, COLOR_CYAN);
        init_pair(2, COLOR_CYAN, -1);
        init_pair(3, COLOR_YELLOW, -1);
        init_pair(4, COLOR_GREEN, -1);
        init_pair(5, COLOR_YELLOW, -1);
        init_pair(6, COLOR_RED, -1);
    }
}

int ui_main(const ui_options *o)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    /* Load before touching the terminal, so a bad lesson is one plain line on stderr. */
    if (o->lab) {
        a.screen = a.lab_return = SCREEN_LAB;
    } else if (o->lesson_path) {
        if (app_open_lesson(&a, o->lesson_path, &err) != 0) {
            err_print(stderr, &err);
            app_free(&a);
            return 1;
        }
        snprintf(a.opened_path, sizeof a.opened_path, "%s", o->lesson_path);
    } else if (app_scan_lessons(&a, o->lessons_dir, &err) != 0) {
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    start_curses(o);
    a.ascii = !use_utf8;
    frame f;
    frame_init(&f, COLS, LINES);
    bool dirty = true;
    while (!a.quit && !got_signal) {
        /* Running: a frame every 40 ms (25 frames/s): up to 30 ms of training (4^speed
         * micro-steps, or as many as fit at full speed), the frame, then the keys until the
         * next frame is due, so a key is answered within 50 ms. Idle: wait for a key, waking
         * to notice signals. */
        bool running = (a.has_session && a.s.running) || (a.screen == SCREEN_COMPARE && a.cmp_running) ||
                       (a.screen == SCREEN_RACE && a.race_running);
        double frame_start = 1e3 * mono_seconds();
        if (running && app_tick(&a, 30.0))
            dirty = true;
        if (dirty) {
            if (f.w != COLS || f.h != LINES) {
                frame_free(&f);
                frame_init(&f, COLS, LINES);
            }
            view_draw(&a, &f);
            blit(&f);
            dirty = false;
        }
        int wait = running ? 40 - (int)(1e3 * mono_seconds() - frame_start) : 100;
        timeout(wait < 1 ? 1 : wait);
        int ch = getch();
        if (ch == ERR)
            continue;
        if (ch == KEY_RESIZE) {
            dirty = true;
            continue;
        }
        int key = ch == KEY_MOUSE ? map_mouse(&a) : map_key(ch);
        int flags = app_key(&a, key);
        if (flags & KEY_SAVE_SCREEN)
            app_save_screen(&a, &f); /* the frame as the learner sees it, before the key */
        if (flags & KEY_REDRAW)
            dirty = true;
    }
    restore_terminal();
    frame_free(&f);
    app_free(&a);
    return got_signal ? 128 + got_signal : 0;
}
