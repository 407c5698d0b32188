# SPDX-License-Identifier: MIT
# swiotlb/: the bounce-buffer pool as a library (libswiotlb.a), the Linux 6.1
# allocator as a baseline for tests and the benchmark, swiotlb-replay, tests.
SWIOTLB_LIB := $(BUILD)/swiotlb/libswiotlb.a
SWIOTLB_BASELINE_OBJ := $(BUILD)/swiotlb/obj/baseline/alloc_linux61.o
SWIOTLB_CFLAGS := -std=gnu11 -O2 -g -pthread -D_GNU_SOURCE -Iswiotlb/include -Iswiotlb/src \
	$(WARN_CFLAGS)
ifneq ($(SANITIZE),)
SWIOTLB_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif
SWIOTLB_CFLAGS += $(EXTRA_CFLAGS)
SWIOTLB_LDFLAGS := $(SEGEN_LDFLAGS) -pthread

SWIOTLB_LIB_SRCS := $(wildcard swiotlb/src/*.c)
SWIOTLB_LIB_OBJS := $(SWIOTLB_LIB_SRCS:swiotlb/%.c=$(BUILD)/swiotlb/obj/%.o)

$(BUILD)/swiotlb/obj/%.o: swiotlb/%.c
	@mkdir -p $(@D)
	$(CC) $(SWIOTLB_CFLAGS) -MMD -MP -c $< -o $@

$(SWIOTLB_LIB): $(SWIOTLB_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

DEB_PACKAGES += libjson-c-dev

# Trace parsing and replay, shared by swiotlb-replay, the benchmark and tests.
SWIOTLB_TOOLS_LIB := $(BUILD)/swiotlb/libswiotlb-tools.a
SWIOTLB_TOOLS_SRCS := swiotlb/tools/trace.c swiotlb/tools/replay.c swiotlb/tools/u64map.c
SWIOTLB_TOOLS_OBJS := $(SWIOTLB_TOOLS_SRCS:swiotlb/%.c=$(BUILD)/swiotlb/obj/%.o)
$(SWIOTLB_TOOLS_OBJS): SWIOTLB_CFLAGS += -Iswiotlb/tools
$(SWIOTLB_TOOLS_LIB): $(SWIOTLB_TOOLS_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

SWIOTLB_REPLAY := $(BUILD)/swiotlb-replay
SWIOTLB_BENCH := $(BUILD)/swiotlb/swiotlb-bench
SWIOTLB_LINK := $(SWIOTLB_TOOLS_LIB) $(SWIOTLB_BASELINE_OBJ) $(SWIOTLB_LIB)
$(SWIOTLB_REPLAY): swiotlb/tools/swiotlb-replay.c $(SWIOTLB_LINK)
	$(CC) $(SWIOTLB_CFLAGS) -Iswiotlb/tools $(SWIOTLB_LDFLAGS) $< $(SWIOTLB_LINK) -ljson-c -o $@
$(SWIOTLB_BENCH): swiotlb/bench/swiotlb-bench.c $(SWIOTLB_LINK)
	@mkdir -p $(@D)
	$(CC) $(SWIOTLB_CFLAGS) -Iswiotlb/tools $(SWIOTLB_LDFLAGS) $< $(SWIOTLB_LINK) -o $@
all: $(SWIOTLB_REPLAY)

SWIOTLB_TEST_SRCS := $(wildcard swiotlb/tests/test_*.c)
SWIOTLB_TESTS := $(SWIOTLB_TEST_SRCS:swiotlb/tests/%.c=$(BUILD)/swiotlb/tests/%)

$(BUILD)/swiotlb/tests/%: swiotlb/tests/%.c $(SWIOTLB_LINK)
	@mkdir -p $(@D)
	$(CC) $(SWIOTLB_CFLAGS) -Itests/unit -Iswiotlb/tools $(SWIOTLB_LDFLAGS) $< \
		$(SWIOTLB_LINK) -o $@

SWIOTLB_SUITES = $(foreach t,$(SWIOTLB_TESTS),swiotlb-$(notdir $(t)) '$(TEST_ENV) $(t)')
SWIOTLB_TEST_BINS := $(SWIOTLB_TESTS)

-include $(SWIOTLB_LIB_OBJS:.o=.d) $(SWIOTLB_BASELINE_OBJ:.o=.d) $(SWIOTLB_TOOLS_OBJS:.o=.d)

# The concurrency tests again under ThreadSanitizer (not with ASan: the two
# cannot share a binary), built from the sources.
ifeq ($(SANITIZE),)
SWIOTLB_TSAN_TEST := $(BUILD)/swiotlb/tests-tsan/test_hostile
$(SWIOTLB_TSAN_TEST): swiotlb/tests/test_hostile.c $(SWIOTLB_LIB_SRCS) \
		swiotlb/baseline/alloc_linux61.c $(wildcard swiotlb/src/*.h swiotlb/include/*.h)
	@mkdir -p $(@D)
	$(CC) $(filter-out -O2,$(SWIOTLB_CFLAGS)) -O1 -fsanitize=thread -Itests/unit \
		$(filter %.c,$^) -o $@
SWIOTLB_SUITES += swiotlb-test_hostile-tsan '$(TEST_ENV) $(SWIOTLB_TSAN_TEST)'
SWIOTLB_TEST_BINS += $(SWIOTLB_TSAN_TEST)
endif

SWIOTLB_SUITES += swiotlb-replay 'SWIOTLB_REPLAY=$(abspath $(SWIOTLB_REPLAY)) bats --tap swiotlb/tests'
SWIOTLB_TEST_BINS += $(SWIOTLB_REPLAY)
TEST_SUITES += $(SWIOTLB_SUITES)
test-build: $(SWIOTLB_TEST_BINS)

.PHONY: swiotlb swiotlb-test
swiotlb: $(SWIOTLB_LIB)
swiotlb-test: $(SWIOTLB_TEST_BINS)
	tests/run-suites $(SWIOTLB_SUITES)

# Fuzz targets for the trace and configuration parsers: in `make test` through
# the project's deterministic driver, in `make fuzz` with libFuzzer.
SWIOTLB_FUZZ_TARGETS := trace config
SWIOTLB_FUZZ_DRIVERS := $(SWIOTLB_FUZZ_TARGETS:%=$(BUILD)/fuzz/driver_swiotlb_%)
$(BUILD)/fuzz/driver_swiotlb_%: swiotlb/fuzz/fuzz_%.c tests/fuzz/driver.c $(SEGEN_LIB) \
		$(SWIOTLB_LINK)
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) -Iswiotlb/include -Iswiotlb/tools $(SEGEN_LDFLAGS) $^ -o $@ \
		$(SEGEN_LDLIBS)
test-build: $(SWIOTLB_FUZZ_DRIVERS)
TEST_SUITES += $(foreach t,$(SWIOTLB_FUZZ_TARGETS),fuzz-swiotlb_$(t) \
	'$(abspath $(BUILD))/fuzz/driver_swiotlb_$(t) swiotlb_$(t) \
	$(abspath swiotlb/fuzz/seeds/$(t))/*')

$(BUILD)/fuzz/libfuzzer_swiotlb_%: swiotlb/fuzz/fuzz_%.c $(SWIOTLB_LIB_SRCS) $(SWIOTLB_TOOLS_SRCS) \
		swiotlb/baseline/alloc_linux61.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out -O2 -Wformat=2,$(SWIOTLB_CFLAGS)) -Iswiotlb/tools $(FUZZ_FLAGS) \
		-fsanitize=fuzzer $^ -o $@
.PHONY: swiotlb-fuzz
swiotlb-fuzz: $(SWIOTLB_FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer_swiotlb_%)
	@for t in $(SWIOTLB_FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/swiotlb_$$t; \
		cp -n swiotlb/fuzz/seeds/$$t/* $(BUILD)/fuzz/corpus/swiotlb_$$t/ 2>/dev/null || true; \
		echo "fuzz: swiotlb_$$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/libfuzzer_swiotlb_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-print_final_stats=1 $(BUILD)/fuzz/corpus/swiotlb_$$t 2>&1 | \
			grep -E "^(stat::number_of_executed_units|==|SUMMARY|.*ERROR)" || exit 1; \
	done
fuzz: swiotlb-fuzz

# make install adds the tool, its man page, the library and its header.
.PHONY: swiotlb-install
install: swiotlb-install
swiotlb-install: $(SWIOTLB_REPLAY) $(SWIOTLB_LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(SWIOTLB_REPLAY) $(DESTDIR)$(PREFIX)/bin/swiotlb-replay
	install -m 0644 swiotlb/man/swiotlb-replay.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(SWIOTLB_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 swiotlb/include/swiotlb.h $(DESTDIR)$(PREFIX)/include/
uninstall: swiotlb-uninstall
.PHONY: swiotlb-uninstall
swiotlb-uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/swiotlb-replay \
		$(DESTDIR)$(PREFIX)/share/man/man1/swiotlb-replay.1 \
		$(DESTDIR)$(PREFIX)/lib/libswiotlb.a $(DESTDIR)$(PREFIX)/include/swiotlb.h

# make bench: libswiotlb against the Linux 6.1 allocator, ratios per round.
SWIOTLB_BENCH_ROUNDS ?= 5
.PHONY: swiotlb-bench
bench: swiotlb-bench
SWIOTLB_BENCH_TRACE ?= $(CACHE_DIR)/swiotlb/virtio-blk-qd8.trace
swiotlb-bench: $(SWIOTLB_BENCH) $(SWIOTLB_REPLAY)
	@[ -f $(SWIOTLB_BENCH_TRACE) ] || { echo "swiotlb-bench: recording a guest trace first"; \
		SWIOTLB_REPLAY=$(abspath $(SWIOTLB_REPLAY)) CACHE_DIR=$(CACHE_DIR) \
		swiotlb/guest/run-loop.sh >/dev/null || echo "swiotlb-bench: no trace recorded," \
		"the trace mix is left out"; }
	$(SWIOTLB_BENCH) --rounds $(SWIOTLB_BENCH_ROUNDS) \
		$(if $(wildcard $(SWIOTLB_BENCH_TRACE)),--trace $(SWIOTLB_BENCH_TRACE)) $(SWIOTLB_BENCH_ARGS)

# A real guest closes the loop: record a trace, replay it, boot with the
# recommendation (no failure) and with one step less (failures, as replayed).
SWIOTLB_SUITES_GUEST = swiotlb-guest 'SWIOTLB_REPLAY=$(abspath $(SWIOTLB_REPLAY)) \
	CACHE_DIR=$(CACHE_DIR) swiotlb/guest/run-loop.sh'
TEST_SUITES += $(SWIOTLB_SUITES_GUEST)
.PHONY: swiotlb-guest-test
swiotlb-guest-test: $(SWIOTLB_REPLAY)
	tests/run-suites $(SWIOTLB_SUITES_GUEST)
