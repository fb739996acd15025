/* term.c - the only file that talks to ncurses: set up, copy frames, read keys, restore.
 * The terminal is restored on every way out: normal quit, error, Ctrl-C, SIGTERM (the
 * handlers only set a flag; the loop restores and exits), and exit() via atexit. */
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "app.h"
#include "cast.h"
#include "palette.h"
#include "keys.h"
#include "../common/clock.h"
/* after our headers: term.h defines macros named like common words (lines, columns) */
#include <term.h>

static volatile sig_atomic_t got_signal;

static int curses_active;
static int use_color, use_utf8;

static void on_signal(int sig) { got_signal = sig; }

static void restore_terminal(void)
{
    if (curses_active) {
        curses_active = 0;
        /* a terminal without an alternate screen (vt100) keeps the last frame: clear its
         * last line, where the shell's prompt will be written, so the two do not mix */
        move(LINES - 1, 0);
        clrtoeol();
        refresh();
        endwin();
    }
}

/* How each role looks (htop's colour schemes, one table per scheme). Roles are meanings
 * (ok, warning, bad, a series); the schemes say how a terminal shows them. In colour every
 * role gets its own pair; in monochrome the meanings still differ by bold, underline and
 * reverse, so NO_COLOR users tell ok from exploding. */
typedef struct role_style {
    short fg, bg; /* -1: the terminal's default */
    attr_t attr;
} role_style;

static const role_style colour_scheme[ROLE_COUNT] = {
    [ROLE_NORMAL] = {-1, -1, A_NORMAL},
    [ROLE_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD},
    [ROLE_HEADING] = {COLOR_CYAN, -1, A_BOLD},
    [ROLE_EMPH] = {-1, -1, A_UNDERLINE},
    [ROLE_STRONG] = {-1, -1, A_BOLD},
    [ROLE_CODE] = {COLOR_YELLOW, -1, A_NORMAL},
    [ROLE_STATUS] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [ROLE_DIM] = {-1, -1, A_DIM},
    [ROLE_GOOD] = {COLOR_GREEN, -1, A_NORMAL},
    [ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD},
    [ROLE_BAD] = {COLOR_RED, -1, A_BOLD},
    [ROLE_SELECTED] = {-1, -1, A_REVERSE},
    [ROLE_BORDER] = {COLOR_BLUE, -1, A_NORMAL},
};

static const attr_t mono_scheme[ROLE_COUNT] = {
    [ROLE_NORMAL] = A_NORMAL,
    [ROLE_TITLE] = A_REVERSE,
    [ROLE_HEADING] = A_BOLD,
    [ROLE_EMPH] = A_UNDERLINE,
    [ROLE_STRONG] = A_BOLD,
    [ROLE_CODE] = A_NORMAL,
    [ROLE_STATUS] = A_REVERSE,
    [ROLE_DIM] = A_DIM,
    [ROLE_GOOD] = A_NORMAL,
    [ROLE_WARN] = A_BOLD,
    [ROLE_BAD] = A_BOLD | A_UNDERLINE,
    [ROLE_SELECTED] = A_REVERSE,
    [ROLE_BORDER] = A_NORMAL,
};

/* Colour pair of role r: r + 1 (pair 0 is the terminal's default and cannot be changed). */
static short role_pair(role r) { return use_color ? (short)(r + 1) : 0; }

static attr_t role_attr(role r)
{
    if ((unsigned)r >= ROLE_COUNT)
        r = ROLE_NORMAL;
    return use_color ? colour_scheme[r].attr : mono_scheme[r];
}

static void init_pairs(void)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        init_pair((short)(r + 1), colour_scheme[r].fg, colour_scheme[r].bg);
}

/* A painted cell's pair: made the first time its colours are met, after the roles' pairs.
 * With 256 colours each (fg, bg) of the palette gets its own; with fewer, the palette folds
 * onto the 8 basic colours first, so at most 64 pairs exist and an 8-colour terminal with
 * 64 pairs never runs out. Returns -1 when the terminal has no pair left for it: the caller
 * then draws the cell as a glyph (blit). */
static short paint_pair(unsigned r)
{
    static short made[PAL_COUNT][PAL_COUNT], basic[8][8];
    static int next = ROLE_COUNT + 1;
    int fg = paint_fg(r), bg = paint_bg(r);
    bool rich = COLORS >= 256;
    short *slot = rich ? &made[fg][bg] : &basic[pal_basic(fg)][pal_basic(bg)];
    if (!*slot) {
        if (next >= COLOR_PAIRS || next > 0x7fff)
            return -1;
        init_pair((short)next, (short)(rich ? pal_xterm256(fg) : pal_basic(fg)),
                  (short)(rich ? pal_xterm256(bg) : pal_basic(bg)));
        *slot = (short)next++;
    }
    return *slot;
}

/* How a role looks, as SGR parameters, for the recording (--record): the same scheme the
 * screen uses, so the recording shows what the learner saw. */
static void role_sgr(unsigned r, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (role_is_paint(r)) {
        if (!use_color)
            return;
        bool rich = COLORS >= 256;
        int fg = rich ? pal_xterm256(paint_fg(r)) : pal_basic(paint_fg(r)), bg = rich ? pal_xterm256(paint_bg(r)) : pal_basic(paint_bg(r));
        snprintf(buf, cap, "38;5;%d;48;5;%d", fg, bg);
        return;
    }
    role ro = r < ROLE_COUNT ? (role)r : ROLE_NORMAL;
    attr_t at = role_attr(ro);
    size_t n = 0;
    const struct { attr_t a; const char *code; } attrs[] = {{A_BOLD, "1"}, {A_DIM, "2"}, {A_UNDERLINE, "4"}, {A_REVERSE, "7"}};
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
        if (at & attrs[i].a)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ";" : "", attrs[i].code);
    if (use_color && colour_scheme[ro].fg >= 0)
        n += (size_t)snprintf(buf + n, cap - n, "%s%d", n ? ";" : "", 30 + colour_scheme[ro].fg);
    if (use_color && colour_scheme[ro].bg >= 0)
        snprintf(buf + n, cap - n, "%s%d", n ? ";" : "", 40 + colour_scheme[ro].bg);
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
    case 0x25B2: return '^';
    case 0x25A0: return '#';
    case 0x25C6: return '*';
    case 0x271A: return '+';
    case 0x2716: return '@';
    case 0x2212: return '-'; /* the minus sign of lesson text */
    case 0x2016: return '|'; /* a norm's bars */
    case 0x2264: return '<';
    case 0x2265: return '>';
    default: return cp < 0x80 ? (wchar_t)cp : '?';
    }
}

static void blit(const frame *f)
{
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            const cell *c = &f->cells[(size_t)y * f->w + x];
            const uint16_t *mk = f->marks[(size_t)y * f->w + x];
            /* ch 0 is the right half of the wide character at x - 1: curses drew both columns */
            if (c->ch == 0 && use_utf8 && x > 0 && cp_cols(c[-1].ch) == 2)
                continue;
            /* the character, then its combining marks, NUL-terminated: curses keeps them in one
             * cell. ASCII has no stand-in for a mark, so there it is left out. */
            wchar_t wc[2 + FRAME_MARKS] = {c->ch == 0 ? ' ' : use_utf8 ? (wchar_t)c->ch : ascii_of(c->ch)};
            for (int m = 0, k = 1; use_utf8 && m < FRAME_MARKS && mk[m]; m++)
                wc[k++] = (wchar_t)mk[m];
            cchar_t cc;
            bool paint = role_is_paint(c->role);
            role r = (unsigned)c->role < ROLE_COUNT ? (role)c->role : ROLE_NORMAL;
            attr_t at = paint ? A_NORMAL : role_attr(r);
            short pair = paint ? (use_color ? paint_pair(c->role) : 0) : role_pair(r);
            if (pair < 0) { /* no colour pair left: the upper half block would say nothing */
                pair = 0;
                wc[0] = paint_fg(c->role) == paint_bg(c->role) ? ' ' : (wchar_t)(use_utf8 ? 0x2592 : '#');
            }
            /* the pair goes in setcchar's own argument: a COLOR_PAIR() in the attributes is
             * dropped by setcchar, which is why no colour ever showed */
            if (setcchar(&cc, wc, at, pair, NULL) == ERR) { /* marks refused */
                wc[1] = 0;
                setcchar(&cc, wc, at, pair, NULL);
            }
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
        init_pairs();
    }
}

/* The viewer needs a terminal on both ends that can address the cursor. Said in one line
 * before curses starts (initscr on TERM=dumb draws nothing, and without a terminal on stdin
 * getch never returns a key), so the learner learns what to change. */
static int terminal_usable(void)
{
    const char *how = "run `deepstep run LESSON.md` to train without a screen";
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "deepstep: the lesson viewer needs a terminal on standard %s; %s\n",
                !isatty(STDIN_FILENO) ? "input" : "output (it is piped or redirected)", how);
        return 0;
    }
    const char *term = getenv("TERM");
    int errret = 0;
    if (!term || !term[0] || setupterm(NULL, STDOUT_FILENO, &errret) != OK) {
        fprintf(stderr, "deepstep: unknown terminal type TERM=%s; try TERM=xterm-256color, or %s\n", term ? term : "",
                how);
        return 0;
    }
    const char *cup = tigetstr("cup");
    bool ok = cup && cup != (const char *)-1;
    del_curterm(cur_term);
    if (!ok)
        fprintf(stderr, "deepstep: this terminal (TERM=%s) cannot move the cursor, which the lesson viewer needs; "
                        "try TERM=xterm-256color, or %s\n", term, how);
    return ok;
}

int ui_main(const ui_options *o)
{
    app a;
    app_init(&a);
    a.questions = !o->no_questions;
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
    if (!terminal_usable()) {
        app_free(&a);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    cast_writer rec = {0};
    if (o->record && atomic_check(o->record, &err) != 0) { /* said before the screen is taken */
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    start_curses(o);
    a.ascii = !use_utf8;
    a.colour = use_color;
    frame f;
    frame_init(&f, COLS, LINES);
    app_resize(&a, COLS, LINES);
    double rec_t0 = mono_seconds();
    if (o->record && cast_open(&rec, o->record, COLS, LINES, o->lesson_path, role_sgr, &err) != 0)
        snprintf(a.message, sizeof a.message, "not recording: %s", err.msg);
    bool dirty = true;
    double draw_ms = 0; /* how long the last frame took to draw and copy out */
    while (!a.quit && !got_signal) {
        /* Running: a frame every UI_FRAME_MS (25 frames/s); between frames, training fills the
         * time the frame does not need, so r at full speed trains nearly as fast as `deepstep
         * run`. Keys are read after each frame (getch waits 1 ms at most), so a key is answered
         * within one frame. Idle: wait for a key, waking to notice signals. */
        bool running = app_running(&a);
        double frame_start = 1e3 * mono_seconds();
        if (running && app_tick(&a, UI_FRAME_MS - draw_ms - 1.0))
            dirty = true;
        if (dirty) {
            double d0 = 1e3 * mono_seconds();
            if (f.w != COLS || f.h != LINES) {
                frame_free(&f);
                frame_init(&f, COLS, LINES);
                app_resize(&a, COLS, LINES);
            }
            view_draw(&a, &f);
            blit(&f);
            cast_frame(&rec, &f, mono_seconds() - rec_t0);
            dirty = false;
            draw_ms = 1e3 * mono_seconds() - d0;
        }
        int wait = running ? (int)(UI_FRAME_MS - (1e3 * mono_seconds() - frame_start)) : 100;
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
    int status = got_signal ? 128 + got_signal : 0;
    if (rec.open && cast_close(&rec, &err) != 0) { /* the terminal is back: say it plainly */
        err_print(stderr, &err);
        status = status ? status : 1;
    } else if (rec.open || rec.events)
        fprintf(stderr, "deepstep: recorded %ld frames to %s\n", rec.events, o->record);
    frame_free(&f);
    app_free(&a);
    return status;
}
