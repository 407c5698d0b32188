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

SWIOTLB_TEST_SRCS := $(wildcard swiotlb/tests/test_*.c)
SWIOTLB_TESTS := $(SWIOTLB_TEST_SRCS:swiotlb/tests/%.c=$(BUILD)/swiotlb/tests/%)

$(BUILD)/swiotlb/tests/%: swiotlb/tests/%.c $(SWIOTLB_LIB) $(SWIOTLB_BASELINE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SWIOTLB_CFLAGS) -Itests/unit $(SWIOTLB_LDFLAGS) $< $(SWIOTLB_BASELINE_OBJ) \
		$(SWIOTLB_LIB) -o $@

SWIOTLB_SUITES = $(foreach t,$(SWIOTLB_TESTS),swiotlb-$(notdir $(t)) '$(TEST_ENV) $(t)')
SWIOTLB_TEST_BINS := $(SWIOTLB_TESTS)

-include $(SWIOTLB_LIB_OBJS:.o=.d) $(SWIOTLB_BASELINE_OBJ:.o=.d)

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

TEST_SUITES += $(SWIOTLB_SUITES)
test-build: $(SWIOTLB_TEST_BINS)

.PHONY: swiotlb swiotlb-test
swiotlb: $(SWIOTLB_LIB)
swiotlb-test: $(SWIOTLB_TEST_BINS)
	tests/run-suites $(SWIOTLB_SUITES)
