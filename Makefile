# One build, one test entry.  See README.md.
#
#   make            build build/sentry
#   make run ARGS='-- /bin/echo hello'
#   make test       unit, conformance (native and sentry) and end-to-end tests
#   make deps       install the Debian packages the build needs (root, idempotent)
#   make bench      benchmarks: native, sentry, runsc side by side (bench/README.md)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (tests/fuzz/README.md)

CC       ?= gcc
BUILD    ?= build
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wformat=2 -Wvla
# lwIP (guest TCP/IP), libslirp (egress NAT), liburing (host I/O of the
# proxy and the port forwarder), OpenSSL (TLS-published ports).
NET_CPPFLAGS := -I/usr/include/lwip -I/usr/include/slirp
CPPFLAGS += -I. -D_GNU_SOURCE $(NET_CPPFLAGS)
ALL_CFLAGS = -std=gnu17 $(WARN) $(CFLAGS) -pthread -MMD -MP
# capstone is not linked: the sentry loads it (dlopen) when it patches
# syscall sites (platform/systrap/patch.c), under the soname its -dev
# package's libcapstone.so names.
# Nor is OpenSSL: only the port forwarder of a sandbox with TLS ports uses it,
# and loads it then (netstack/tls_lib.c).
LDLIBS_SENTRY := -pthread -llwip -lslirp -luring -lseccomp
SONAME_OF = $(shell objdump -p "$$($(CC) -print-file-name=$(1))" 2>/dev/null | \
              awk '/SONAME/ { print $$2 }')
$(BUILD)/obj/platform/systrap/patch.o $(BUILD)/san/platform/systrap/patch.o: \
	CPPFLAGS += -DCAPSTONE_SONAME='"$(call SONAME_OF,libcapstone.so)"'
$(BUILD)/obj/netstack/tls_lib.o $(BUILD)/san/netstack/tls_lib.o: \
	CPPFLAGS += -DLIBSSL_SONAME='"$(call SONAME_OF,libssl.so)"'

LDLIBS_RUNSC  := $(LDLIBS_SENTRY) -ljansson

DEB_PACKAGES := gcc make pkg-config libseccomp-dev libcriterion-dev busybox-static \
                libc6-dev libcapstone-dev liblwip-dev libslirp-dev liburing-dev libssl-dev \
                libjansson-dev
# The real programs the e2e tests run (tests/e2e/t_prog_*.sh), beyond what a
# minimal Debian 12 has (bash, coreutils, findutils, tar, gzip are essential).
DEB_PACKAGES += procps git python3 perl bzip2
# The network tests: test hosts in network namespaces, a TLS client.
DEB_PACKAGES += iproute2 curl openssl
# The OCI clients the runsc-compat e2e tests drive (tests/e2e/t_oci_*.sh):
# containerd (ctr, the runc shim, the CRI plugin), podman, and a CRI client
# made with python's grpc.
DEB_PACKAGES += containerd podman python3-grpcio python3-grpc-tools
# Rootless runs with a subordinate id range (newuidmap/newgidmap; optional at
# run time, needed by tests/e2e/t_oci_podman_rootless.sh).
DEB_PACKAGES += uidmap

# Everything linked into build/sentry.  The gofer and the stub are forked from
# the sentry binary (see docs/architecture.md), so they are part of it.
SENTRY_SRCS := $(sort $(wildcard common/*.c) \
                      $(wildcard sentry/*/*.c) \
                      $(wildcard platform/*.c) $(wildcard platform/ptrace/*.c) \
                      $(wildcard platform/systrap/*.c) $(wildcard gofer/*.c) \
                      $(wildcard netstack/*.c) $(wildcard netstack/proxy/*.c))
# The OCI runtime's own code (JSON): linked into build/runsc and the unit tests.
RUNSC_SRCS  := $(filter-out runsc-compat/main.c,$(sort $(wildcard runsc-compat/*.c)))
SENTRY_ASM  := $(sort $(wildcard platform/ptrace/*.S) $(wildcard platform/systrap/stub/*.S))
# The systrap stub's C code runs in guest address spaces: freestanding, no
# sanitizers, no SSE (see platform/systrap/stub/stub.c).
STUB_SRCS   := $(sort $(wildcard platform/systrap/stub/*.c))
# (gcc turns copy loops into memcpy calls unless told not to; clang lacks the flag)
STUB_NO_MEMCPY := $(shell $(CC) -fno-tree-loop-distribute-patterns -E -x c /dev/null >/dev/null 2>&1 \
                    && echo -fno-tree-loop-distribute-patterns)
STUB_CFLAGS := -std=gnu17 $(WARN) -O2 -g -fPIE -ffreestanding -fno-builtin -fno-stack-protector \
               -fno-jump-tables $(STUB_NO_MEMCPY) -mgeneral-regs-only \
               -fcf-protection=none -fno-asynchronous-unwind-tables -MMD -MP
STUB_OBJS   := $(STUB_SRCS:%.c=$(BUILD)/obj/%.o)
SENTRY_OBJS := $(SENTRY_SRCS:%.c=$(BUILD)/obj/%.o) $(SENTRY_ASM:%.S=$(BUILD)/obj/%.o) $(STUB_OBJS)
# The program's entry point; unit tests link everything else.
MAIN_OBJ    := $(BUILD)/obj/sentry/cli/main.o
LIB_OBJS    := $(filter-out $(MAIN_OBJ),$(SENTRY_OBJS))

.PHONY: all deps run test unit conformance e2e clean bench bench-build bench-deps
all: $(BUILD)/sentry $(BUILD)/runsc

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# Anything outside section systrap_stub (data, string literals, calls out)
# would be missing in the guest's copy: refuse to build it.
$(STUB_OBJS): $(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(STUB_CFLAGS) -c $< -o $@
	@if nm -u $@ | grep -v -E ' (systrap|stub)_' | grep -q .; then \
	  echo "$@: stub code refers outside the stub:"; nm -u $@; rm -f $@; exit 1; fi
	@if objdump -r -j systrap_stub $@ | grep -E 'GOT|R_X86_64_(64|32)'; then \
	  echo "$@: absolute or GOT relocations in stub code"; rm -f $@; exit 1; fi
	@if objdump -h $@ | awk '$$2 ~ /^\.(text|data|bss|rodata)/ && $$3 !~ /^0+$$/ { bad = 1 } END { exit !bad }'; then \
	  echo "$@: stub code outside section systrap_stub:"; objdump -h $@; rm -f $@; exit 1; fi

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sentry: $(SENTRY_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_SENTRY)

# The OCI runtime (runsc-compat/): the same library, its own main.
RUNSC_OBJS := $(BUILD)/obj/runsc-compat/main.o $(RUNSC_SRCS:%.c=$(BUILD)/obj/%.o)
$(BUILD)/runsc: $(RUNSC_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_RUNSC)

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
include bench/bench.mk

clean:
	rm -rf $(BUILD)

-include $(SENTRY_OBJS:.o=.d) $(RUNSC_OBJS:.o=.d)
