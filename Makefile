# deepstep - see README.md. `make run` builds and opens the first lesson; `make test` tests.
# Missing Debian packages are installed by `make deps` when run as root, else it prints the
# exact apt-get command.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
NATIVE  ?=
WERROR  ?= -Werror
VERSION := 0.1.0

PKGS     := ncursesw cmocka zlib md4c
DEB_PKGS := libncurses-dev libcmocka-dev zlib1g-dev libmd4c-dev pkg-config tmux

# -Wno-format-truncation: every snprintf into a fixed buffer truncates on purpose (titles,
# messages); the warning cannot tell that from a bug and fires on each of them.
WARN   := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wundef -Wno-format-truncation $(WERROR)
OPT    := -O3 -g $(if $(NATIVE),-march=native)
# Recursive (=) so pkg-config runs after `deps` has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags ncursesw md4c zlib 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs ncursesw md4c zlib 2>/dev/null)
CMOCKA     = $(shell pkg-config --cflags --libs cmocka 2>/dev/null)
CFLAGS_ALL  = -std=c11 -D_POSIX_C_SOURCE=200809L -DDEEPSTEP_VERSION='"$(VERSION)"' \
              -DDEEPSTEP_DATADIR='"$(PREFIX)/share/deepstep"' $(OPT) $(WARN) \
              $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS_ALL  = $(PKG_LIBS) -lm $(LDLIBS)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/main.o
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run test test-torch unit check bench fuzz install uninstall clean deps deps-test

all: $(BUILD)/deepstep

$(BUILD)/deepstep: $(MAIN_OBJ) $(BUILD)/libdeepstep.a | deps
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libdeepstep.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The element-wise exp/tanh/sigmoid loops select between branches; GCC if-converts (and so
# vectorises) them only when FP exceptions are not observable. Nothing here reads the FP
# exception flags, and rounding is unchanged, so no value differs.
$(BUILD)/obj/src/engine/act.o $(BUILD)/obj/src/engine/loss.o: CFLAGS_ALL += -fno-trapping-math

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/libdeepstep.a | deps-test
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -Isrc -o $@ $< $(BUILD)/libdeepstep.a $(CMOCKA) $(LDLIBS_ALL)

# `make run` opens the first lesson; Esc in it shows the list of all lessons.
run: all
	./$(BUILD)/deepstep lessons/00-welcome.md

# Unit tests (cmocka), then the headless end-to-end tests, then the tmux UI tests.
test: all $(TEST_BIN)
	@bash tests/run_all.sh $(BUILD)

unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do $$t; done

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build.
check:
	$(MAKE) BUILD=build/asan CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	        LDFLAGS="-fsanitize=address,undefined" OPT="-O1 -g" test

# Every experiment of every lesson exported with `deepstep export --torch` and trained both ways
# for 50 steps from the same weights: the arrays must agree to 1e-4 + 1e-3 max|b| (see
# tests/torch/test_torch.py). Needs Debian's python3-torch and python3-numpy (installed as root,
# else the command is printed); `make test` never does.
test-torch: all
	@sh .ci/deps.sh torch
	@/usr/bin/python3 tests/torch/test_torch.py $(BUILD)/deepstep

# The benchmark: every number measured in this one run (see README, "Speed").
bench: all
	./$(BUILD)/deepstep bench

# The fuzzers (libFuzzer, clang): `make fuzz` builds them and runs each for FUZZ_SECONDS
# (default 60) on its seed corpus in tests/fuzz/corpus; see tests/fuzz/README.md.
fuzz:
	@sh .ci/deps.sh fuzz
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/deepstep
	install -m 755 $(BUILD)/deepstep $(DESTDIR)$(PREFIX)/bin/deepstep
	install -m 644 docs/deepstep.1 $(DESTDIR)$(PREFIX)/share/man/man1/deepstep.1
	cp -R lessons datasets $(DESTDIR)$(PREFIX)/share/deepstep/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/deepstep $(DESTDIR)$(PREFIX)/share/man/man1/deepstep.1
	rm -rf $(DESTDIR)$(PREFIX)/share/deepstep

clean:
	rm -rf build

# Build dependencies: pkg-config names -> Debian packages.
deps:
	@sh .ci/deps.sh build

# After deps, never beside it: with -j two apt-get runs would race for the package lock.
deps-test: deps
	@sh .ci/deps.sh test

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
