# Test targets, included by the top-level Makefile.

# --- unit tests (criterion), built with sanitizers ---------------------------
UNIT_SRCS   := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer
SAN_OBJS    := $(filter-out $(BUILD)/san/sentry/cli/main.o,$(SENTRY_SRCS:%.c=$(BUILD)/san/%.o)) \
               $(RUNSC_SRCS:%.c=$(BUILD)/san/%.o) \
               $(SENTRY_ASM:%.S=$(BUILD)/obj/%.o) $(STUB_OBJS)
# An archive, so that each test links only the objects it references.
SAN_LIB     := $(BUILD)/libsentry-san.a

$(SAN_LIB): $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/unit/%: tests/unit/%.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(SAN_LIB) -lcriterion $(LDLIBS_RUNSC) \
		-lssl -lcrypto

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

# --- conformance suite -------------------------------------------------------
CONF_SRCS := $(sort $(wildcard tests/conformance/*.c))
CONF_BINS := $(CONF_SRCS:tests/conformance/%.c=$(BUILD)/conformance/%)

$(BUILD)/conformance/%: tests/conformance/%.c tests/conformance/check.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -Wall -Wextra -Werror -O1 -g -static-pie -I tests/conformance -o $@ $<

conformance-build: $(CONF_BINS)

# The sentry once more with the sanitizers, as a third runtime: a memory
# error or undefined behaviour on any test's syscalls fails that test.
ASAN_SENTRY := $(BUILD)/asan/sentry
CONF_MOUNT := -v $(abspath $(BUILD)/conformance):$(abspath $(BUILD)/conformance):ro
SAN_ENV := env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

$(ASAN_SENTRY): $(filter-out $(RUNSC_SRCS:%.c=$(BUILD)/san/%.o),$(SAN_OBJS)) \
		$(BUILD)/san/sentry/cli/main.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS_SENTRY)

conformance: $(BUILD)/sentry $(ASAN_SENTRY) $(CONF_BINS)
	SENTRY=$(abspath $(BUILD)/sentry) tests/conformance/run.sh --bindir $(BUILD)/conformance --runtime native --runtime sentry \
		--runtime 'sentry-ptrace=$(abspath $(BUILD)/sentry) run --platform=ptrace $(CONF_MOUNT) --' \
		--runtime 'sentry-asan=$(SAN_ENV) $(ASAN_SENTRY) run $(CONF_MOUNT) --'

# --- end-to-end tests --------------------------------------------------------
# run.sh builds the busybox test rootfs (tests/e2e/mkrootfs.sh) itself.
e2e: $(BUILD)/sentry $(BUILD)/runsc
	SENTRY=$(BUILD)/sentry E2E_ROOTFS=$(BUILD)/e2e-rootfs tests/e2e/run.sh

# --- adversarial suite (tests/security/) -------------------------------------
SEC_SRCS := $(sort $(wildcard tests/security/attacks/*.c))
SEC_BINS := $(SEC_SRCS:tests/security/attacks/%.c=$(BUILD)/security/%)

$(BUILD)/security/%: tests/security/attacks/%.c tests/security/attacks/attack.h \
		tests/security/attacks/exh.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -Wall -Wextra -Werror -O1 -g -static-pie -pthread -I tests/security/attacks -o $@ $<

# The neighbour sandbox's work (run.sh, beside the exhaustion attacks): in a
# subdirectory, so that run.sh does not take it for an attack.
$(BUILD)/security/tools/neighbour: tests/security/neighbour.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -Wall -Wextra -Werror -O1 -g -static-pie -o $@ $<

.PHONY: security
security: $(BUILD)/sentry $(SEC_BINS) $(BUILD)/security/tools/neighbour
	SENTRY=$(abspath $(BUILD)/sentry) tests/security/run.sh --bindir $(BUILD)/security

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) conformance
	$(MAKE) e2e
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS)
	$(MAKE) security

-include $(SAN_OBJS:.o=.d)

# --- libFuzzer harnesses (make fuzz) -------------------------------------------
include tests/fuzz/fuzz.mk
