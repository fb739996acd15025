/* main.c - argument parsing and dispatch only. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/bench.h"
#include "cli/bench_ui.h"
#include "cli/check.h"
#include "cli/export.h"
#include "cli/float_cmd.h"
#include "cli/narrate_cmd.h"
#include "cli/run.h"
#include "ui/app.h"

#ifndef DEEPSTEP_DATADIR
#define DEEPSTEP_DATADIR "/usr/local/share/deepstep"
#endif

#ifndef DEEPSTEP_VERSION
#define DEEPSTEP_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "deepstep %s - step through the training of a neural network and see why the tricks work\n"
            "\n"
            "usage:\n"
            "  deepstep                      open the lesson browser (lessons/*.md)\n"
            "  deepstep LESSON.md            open a lesson in the stepper\n"
            "  deepstep run LESSON.md [...]  train headless; see 'deepstep run --help'\n"
            "  deepstep check LESSON.md ...  run every experiment and check what each lesson claims\n"
            "                                (--seeds K: on K seeds; see 'deepstep check --help')\n"
            "  deepstep narrate LESSON.md    the stepper's narration as text; see 'deepstep narrate --help'\n"
            "  deepstep export LESSON.md --torch\n"
            "                                an experiment as a PyTorch script that reproduces it, with its\n"
            "                                initial weights and data; see 'deepstep export --help'\n"
            "  deepstep float ...            float anatomy and precision loss; see 'deepstep float --help'\n"
            "  deepstep lab                  the float lab in the terminal UI (also F in the UI)\n"
            "  deepstep --bench-ui [LESSON]  time the rendering of a 160x48 frame\n"
            "  deepstep bench                the benchmark of make bench (training speed, rewind, frame, memory)\n"
            "  deepstep --help | --version\n"
            "\n"
            "options for the UI:\n"
            "  --no-color                    monochrome (also when NO_COLOR is set)\n"
            "  --lessons DIR                 where the browser looks for lessons\n"
            "                                (default: ./lessons, else " DEEPSTEP_DATADIR "/lessons)\n"
            "  --record FILE.cast            record the session as an asciicast v2 file (asciinema plays it)\n"
            "  --no-questions                the lessons' questions do not stop the runs\n"
            "\n"
            "In the UI press ? for the keys, q to quit. The manual page is deepstep(1).\n",
            DEEPSTEP_VERSION);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("deepstep %s\n", DEEPSTEP_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return cmd_bench(argc - 1, argv + 1, argv[0]);
    if (argc == 3 && strcmp(argv[1], "--first-frame") == 0)
        return cmd_first_frame(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "narrate") == 0)
        return cmd_narrate(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "float") == 0)
        return cmd_float(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--bench-ui") == 0) {
        double median;
        /* default: the residual experiment of the vanishing-gradients lesson (29 layers), page 4 */
        return argc >= 3 ? bench_ui(argv[2], 0, &median) : bench_ui("lessons/04-vanishing-gradients.md", 3, &median);
    }

    /* ./lessons in a checkout; the installed copy otherwise. */
    struct stat st;
    if (argc >= 2 && strcmp(argv[1], "lab") == 0) {
        ui_options lab = {.lab = 1, .lessons_dir = "lessons"};
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--no-color") == 0)
                lab.no_color = 1;
        return ui_main(&lab);
    }
    ui_options opts = {.lessons_dir = stat("lessons", &st) == 0 && S_ISDIR(st.st_mode) ? "lessons"
                                                                                       : DEEPSTEP_DATADIR "/lessons"};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-color") == 0)
            opts.no_color = 1;
        else if (strcmp(argv[i], "--no-questions") == 0)
            opts.no_questions = 1;
        else if (strcmp(argv[i], "--lessons") == 0 && i + 1 < argc)
            opts.lessons_dir = argv[++i];
        else if (strcmp(argv[i], "--record") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                fprintf(stderr, "deepstep: --record needs a file name, e.g. --record session.cast\n");
                return 1;
            }
            opts.record = argv[++i];
        }
        else if (argv[i][0] == '-') {
            fprintf(stderr, "deepstep: unknown option '%s' (see deepstep --help)\n", argv[i]);
            return 1;
        } else if (!opts.lesson_path)
            opts.lesson_path = argv[i];
        else {
            fprintf(stderr, "deepstep: one lesson at a time (see deepstep --help)\n");
            return 1;
        }
    }
    return ui_main(&opts);
}
