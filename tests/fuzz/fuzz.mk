# libFuzzer harnesses (tests/fuzz/README.md), included by tests/tests.mk.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_ONLY='gofer elf']
#
# builds every harness into $(BUILD)/fuzz/ with clang (libFuzzer, ASan,
# UBSan) and runs each for FUZZ_SECONDS; a crash, leak or timeout fails
# the target and leaves the input in $(BUILD)/fuzz/crashes/.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
# `make test` runs each harness this long (seconds).
FUZZ_TEST_SECONDS ?= 10
DEB_PACKAGES += clang lld
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_NAMES   := gofer elf oci netlink netstack ctl
# `syscall`: the syscall fuzzer (tests/fuzz/syscall/), a guest program in
# a sandbox: FUZZ_SECONDS on systrap, then shorter on ptrace and in the
# ASan sentry.
FUZZ_ONLY    ?= $(FUZZ_NAMES) syscall
# Instrumented objects in sections of their own: a harness links only the
# functions it reaches (--gc-sections), not what the rest of a file needs.
FUZZ_FLAGS   := -std=gnu17 $(WARN) -O1 -g -pthread -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -ffunction-sections -fdata-sections
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined -fuse-ld=lld -Wl,--gc-sections -pthread

# The objects each harness needs, besides its own tests/fuzz/fuzz_NAME.c.
FUZZ_OBJS_gofer    := gofer/protocol.c
FUZZ_OBJS_elf      := sentry/loader/elf.c
FUZZ_OBJS_oci      := runsc-compat/oci_config.c
FUZZ_OBJS_netlink  := sentry/socket/netlink_route.c netstack/netconf.c
FUZZ_OBJS_netstack := netstack/stack.c netstack/policy.c netstack/netconf.c \
                      netstack/proxy/denylist.c netstack/proxy/refuse.c common/log.c
FUZZ_OBJS_ctl      := sentry/kernel/spawn.c sentry/kernel/boot_oci.c \
                      sentry/kernel/seccomp_filter.c common/log.c
FUZZ_LIBS_oci      := -ljansson
FUZZ_LIBS_netstack := -llwip

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

define fuzz_harness
$(FUZZ_DIR)/$(1): $(FUZZ_DIR)/obj/tests/fuzz/fuzz_$(1).o $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_OBJS_$(1)))
	$$(FUZZ_CC) $$(FUZZ_LDFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_harness,$(n))))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)

SYSFUZZ := $(FUZZ_DIR)/sysfuzz
SYSFUZZ_SHORT = $(shell echo $$(( $(FUZZ_SECONDS) / 4 > 10 ? $(FUZZ_SECONDS) / 4 : 10 )))

# (with the sentry's syscall table: the argument kinds of every number)
$(SYSFUZZ): tests/fuzz/syscall/sysfuzz.c sentry/syscalls/table.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -Wall -Wextra -Werror -O1 -g -static-pie -pthread -I. -D_GNU_SOURCE \
		-o $@ $^

.PHONY: fuzz-syscall
fuzz-syscall: $(SYSFUZZ) $(BUILD)/sentry $(ASAN_SENTRY)
	@st=0; \
	tests/fuzz/syscall/run.sh syscall $(BUILD)/sentry $(SYSFUZZ) $(FUZZ_SECONDS) || st=1; \
	tests/fuzz/syscall/run.sh --platform ptrace syscall-ptrace $(BUILD)/sentry $(SYSFUZZ) \
		$(SYSFUZZ_SHORT) || st=1; \
	tests/fuzz/syscall/run.sh --env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		--env UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		syscall-asan $(ASAN_SENTRY) $(SYSFUZZ) $(SYSFUZZ_SHORT) || st=1; \
	exit $$st

fuzz: fuzz-build $(if $(filter syscall,$(FUZZ_ONLY)),$(SYSFUZZ) $(BUILD)/sentry $(ASAN_SENTRY))
	@st=0; \
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(filter $(FUZZ_NAMES),$(FUZZ_ONLY)) || st=1; \
	$(if $(filter syscall,$(FUZZ_ONLY)),$(MAKE) -s fuzz-syscall || st=1;) \
	exit $$st


# The seeds made with the project's encoders (gofer, ctl): regenerate them
# after a wire format change.  The other seeds are hand-made files.
$(FUZZ_DIR)/mkseeds: $(FUZZ_DIR)/obj/tests/fuzz/mkseeds.o \
		$(patsubst %.c,$(FUZZ_DIR)/obj/%.o,gofer/protocol.c sentry/kernel/boot_oci.c \
			sentry/kernel/seccomp_filter.c common/log.c)
	$(FUZZ_CC) -fsanitize=address,undefined -fuse-ld=lld -Wl,--gc-sections -pthread -o $@ $^

.PHONY: fuzz-seeds
fuzz-seeds: $(FUZZ_DIR)/mkseeds
	@mkdir -p tests/fuzz/corpus
	$(FUZZ_DIR)/mkseeds tests/fuzz/corpus
	tests/fuzz/mkseeds.py tests/fuzz/corpus

-include $(wildcard $(FUZZ_DIR)/obj/*/*.d $(FUZZ_DIR)/obj/*/*/*.d $(FUZZ_DIR)/obj/*/*/*/*.d)
