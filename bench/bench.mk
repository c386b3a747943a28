# The benchmark, included by the top-level Makefile.  See bench/README.md.
#
#   make bench      build the sentry and the benchmark programs, run them
#                   natively, in the sentry (each platform) and in runsc;
#                   writes bench/results/latest.md and latest.png

BENCH_DIR      := $(BUILD)/bench
# Only for the benchmark, not for make test: the chart, gVisor to compare
# with, and ip(8) for the network benchmark's test host.
BENCH_PACKAGES := gnuplot-nox runsc iproute2
BENCH_CFLAGS   := -std=gnu17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter

# Static, so that the program runs as it is in any sandbox whose root is the
# host's /; static-pie where the toolchain has it: a PIE is loaded near the
# sentry's stub region, as most programs are, which matters for syscall
# patching.
$(BENCH_DIR)/micro: bench/micro/micro.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static-pie -pthread -o $@ $< 2>/dev/null || \
	  $(CC) $(BENCH_CFLAGS) -static -pthread -o $@ $<

$(BENCH_DIR)/net: bench/micro/net.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static-pie -o $@ $< 2>/dev/null || \
	  $(CC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_DIR)/spawntime: bench/tools/spawntime.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/sigsys_floor: bench/tools/sigsys_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -pthread -o $@ $<

bench-build: $(BUILD)/sentry $(BENCH_DIR)/micro $(BENCH_DIR)/net $(BENCH_DIR)/spawntime \
	     $(BENCH_DIR)/sigsys_floor

# Like deps, but a missing package only costs its column or the chart.
bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "make bench: not root, not installing:" $$missing >&2; exit 0; fi; \
	  echo "installing:" $$missing; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; } || \
	  echo "make bench: could not install" $$missing >&2; \
	fi

bench: deps bench-deps
	$(MAKE) bench-build
	SENTRY=$(BUILD)/sentry BENCH_BIN=$(BENCH_DIR) bench/run.sh
