# tests/fuzz/fuzz.mk - libFuzzer harnesses for deepstep's file parsers (see tests/fuzz/README.md).
# Run from the project root:
#     make fuzz                                              (all targets, 60 s each)
#     make -f tests/fuzz/fuzz.mk FUZZ_TARGETS=npz FUZZ_SECONDS=10
#     make -f tests/fuzz/fuzz.mk build                       (binaries only)
# The library is compiled again here with clang and the sanitizers into build/fuzz/, never
# touching build/'s own objects. Targets run one at a time, however many -j jobs make has,
# each through tests/fuzz/run.sh (corpus copy, limits, stats, replay of each finding).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= lesson csv idx idx_gz npz
FUZZ_BUILD   ?= build/fuzz
FUZZ_RSS_MB  ?= 2048
FUZZ_TIMEOUT ?= 10
# Extra libFuzzer flags for every target, e.g. FUZZ_FLAGS=-only_ascii=1.
FUZZ_FLAGS   ?=
# 1: keep fuzzing after a crash (libFuzzer's fork mode, one worker); each crash is still
# written to $(FUZZ_BUILD)/crashes/. Default: stop a target at its first crash.
FUZZ_KEEP_GOING ?= 0

ALL_TARGETS := lesson csv idx idx_gz npz

# Longest input per target (libFuzzer -max_len) and its dictionary.
MAXLEN_lesson := 32768
MAXLEN_csv    := 16384
MAXLEN_idx    := 8192
MAXLEN_idx_gz := 8192
MAXLEN_npz    := 16384
DICT_lesson   := tests/fuzz/lesson.dict
DICT_csv      := tests/fuzz/csv.dict
DICT_idx      := tests/fuzz/idx.dict
DICT_idx_gz   := tests/fuzz/idx.dict
DICT_npz      := tests/fuzz/npz.dict

ifeq ($(wildcard src/lesson/lesson.h),)
$(error tests/fuzz/fuzz.mk: run it from the project root: make -f tests/fuzz/fuzz.mk)
endif
BAD_TARGETS := $(filter-out $(ALL_TARGETS),$(FUZZ_TARGETS))
ifneq ($(BAD_TARGETS),)
$(error unknown FUZZ_TARGETS: $(BAD_TARGETS) (known: $(ALL_TARGETS)))
endif

# What the main Makefile defines, so the library compiles the same way.
VERSION    := $(or $(shell sed -n 's/^VERSION *:= *//p' Makefile 2>/dev/null),0.0.0)
PKG_CFLAGS := $(shell pkg-config --cflags ncursesw md4c zlib 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs ncursesw md4c zlib 2>/dev/null)

SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_F := -std=c11 -D_POSIX_C_SOURCE=200809L -DDEEPSTEP_VERSION='"$(VERSION)"' \
            -DDEEPSTEP_DATADIR='"/usr/local/share/deepstep"' -g -O1 $(SAN) -fsanitize=fuzzer-no-link \
            -Wall -Wextra -Wno-unused-parameter $(PKG_CFLAGS) -MMD -MP
LDLIBS_F := $(PKG_LIBS) -lm

# The library minus the terminal UI and the command line: the harnesses reach neither, and
# leaving them out keeps curses out of the build (the link line still names it, as the main
# Makefile's does, which costs nothing).
LIB_SRC := $(sort $(filter-out src/main.c src/ui/% src/cli/%,$(wildcard src/*/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
LIB     := $(FUZZ_BUILD)/libdeepstep-fuzz.a
BINS    := $(ALL_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: all build run clean
# Keep the harness objects (make would delete them as intermediates of the pattern chain).
.SECONDARY:
.DEFAULT_GOAL := all

all: run

build: $(BINS)

$(FUZZ_BUILD)/obj/src/engine/act.o $(FUZZ_BUILD)/obj/src/engine/loss.o: CFLAGS_F += -fno-trapping-math

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_F) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Harnesses: fuzz_idx.c is built twice, the second time gzip-compressing its files.
$(FUZZ_BUILD)/obj/tests/fuzz/fuzz_idx_gz.o: tests/fuzz/fuzz_idx.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_F) -DFUZZ_IDX_GZIP=1 -Isrc -c -o $@ $<

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_F) -Isrc -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(LIB)
	$(FUZZ_CC) $(SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_F)

# The targets run one after another (never in parallel: each already keeps a core busy),
# through tests/fuzz/run.sh, which copies the seeds into $(FUZZ_BUILD)/corpus/<target> (the
# repository's corpus is only read), fuzzes for FUZZ_SECONDS, prints executions, exec/s and
# findings, and replays each new finding to print its sanitizer report and top frames.
# Findings: $(FUZZ_BUILD)/crashes/<target>-{crash,leak,timeout,oom}-<sha1>.
run: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@mkdir -p $(FUZZ_BUILD)/logs; rm -f $(FUZZ_BUILD)/logs/summary.txt; failed=""; \
	for t in $(FUZZ_TARGETS); do \
	    case $$t in \
	    lesson) maxlen=$(MAXLEN_lesson) dict=$(DICT_lesson) ;; \
	    csv) maxlen=$(MAXLEN_csv) dict=$(DICT_csv) ;; \
	    idx) maxlen=$(MAXLEN_idx) dict=$(DICT_idx) ;; \
	    idx_gz) maxlen=$(MAXLEN_idx_gz) dict=$(DICT_idx_gz) ;; \
	    npz) maxlen=$(MAXLEN_npz) dict=$(DICT_npz) ;; \
	    esac; \
	    FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_RSS_MB=$(FUZZ_RSS_MB) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) \
	    FUZZ_KEEP_GOING=$(FUZZ_KEEP_GOING) FUZZ_FLAGS="$(FUZZ_FLAGS)" \
	        sh tests/fuzz/run.sh $$t $(FUZZ_SECONDS) $$maxlen $$dict || failed="$$failed $$t"; \
	done; \
	echo "fuzz: ---- summary, $(FUZZ_SECONDS) s per target ----"; sed 's/^/fuzz: /' $(FUZZ_BUILD)/logs/summary.txt; \
	if [ -n "$$failed" ]; then \
	    echo "fuzz: FAILED:$$failed; reproduce one with $(FUZZ_BUILD)/fuzz_<target> CRASHFILE (tests/fuzz/README.md)"; \
	    exit 1; \
	fi; \
	echo "fuzz: ok, no findings"

clean:
	rm -rf $(FUZZ_BUILD)

-include $(LIB_OBJ:.o=.d) $(BINS:$(FUZZ_BUILD)/%=$(FUZZ_BUILD)/obj/tests/fuzz/%.d)
