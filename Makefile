# One build, one test entry.  See README.md.
#
#   make            build build/sentry
#   make run ARGS='-- /bin/echo hello'
#   make test       unit, conformance (native and sentry) and end-to-end tests
#   make deps       install the Debian packages the build needs (root, idempotent)

CC       ?= gcc
BUILD    ?= build
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wformat=2 -Wvla
CPPFLAGS += -I. -D_GNU_SOURCE
ALL_CFLAGS = -std=gnu17 $(WARN) $(CFLAGS) -pthread -MMD -MP
LDLIBS_SENTRY := -pthread

DEB_PACKAGES := gcc make pkg-config libseccomp-dev libcriterion-dev busybox-static \
                libc6-dev
# The real programs the e2e tests run (tests/e2e/t_prog_*.sh), beyond what a
# minimal Debian 12 has (bash, coreutils, findutils, tar, gzip are essential).
DEB_PACKAGES += procps git python3 perl bzip2

# Everything linked into build/sentry.  The gofer and the stub are forked from
# the sentry binary (see docs/architecture.md), so they are part of it.
SENTRY_SRCS := $(sort $(wildcard common/*.c) \
                      $(wildcard sentry/*/*.c) \
                      $(wildcard platform/*.c) $(wildcard platform/ptrace/*.c) \
                      $(wildcard gofer/*.c))
SENTRY_ASM  := $(sort $(wildcard platform/ptrace/*.S))
SENTRY_OBJS := $(SENTRY_SRCS:%.c=$(BUILD)/obj/%.o) $(SENTRY_ASM:%.S=$(BUILD)/obj/%.o)
# The program's entry point; unit tests link everything else.
MAIN_OBJ    := $(BUILD)/obj/sentry/cli/main.o
LIB_OBJS    := $(filter-out $(MAIN_OBJ),$(SENTRY_OBJS))

.PHONY: all deps run test unit conformance e2e clean
all: $(BUILD)/sentry

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -c $< -o $@

$(BUILD)/sentry: $(SENTRY_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_SENTRY)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root to install packages" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	fi

run: deps all
	$(BUILD)/sentry run $(ARGS)

include tests/tests.mk

clean:
	rm -rf $(BUILD)

-include $(SENTRY_OBJS:.o=.d)
