# SPDX-License-Identifier: MIT
# Fuzz targets: every parser of untrusted input has one (tests/fuzz/fuzz_*.c).
#  - In `make test` each runs through tests/fuzz/driver.c (no libFuzzer): its
#    seeds plus FUZZ_DRIVER_ROUNDS deterministic mutations, under the same
#    build flags as everything else (ASan + UBSan in `make check`).
#  - `make fuzz` builds them with clang's libFuzzer (+ ASan, UBSan) and runs
#    each for FUZZ_SECONDS on a corpus seeded like the above.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SEEDS := $(BUILD)/fuzz/seeds
FUZZ_DRIVERS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/driver_%)
FUZZ_SECONDS ?= 30

$(BUILD)/fuzz/driver_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(SEGEN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) $(SEGEN_LDFLAGS) $^ -o $@ $(SEGEN_LDLIBS)

$(FUZZ_SEEDS)/.stamp: tests/fuzz/make-seeds.sh $(SEGEN)
	tests/fuzz/make-seeds.sh $(SEGEN) $(VECTORS_DIR) $(FUZZ_SEEDS)
	touch $@

test-prereqs: $(FUZZ_DRIVERS) $(FUZZ_SEEDS)/.stamp
TEST_SUITES += $(foreach t,$(FUZZ_TARGETS),fuzz-$(t) \
	'$(abspath $(BUILD))/fuzz/driver_$(t) $(t) $(abspath $(FUZZ_SEEDS))/$(t)/* \
	$(CURDIR)/tests/fuzz/corpus/$(t)/*')

# libFuzzer builds: the library again, compiled by clang with coverage hooks.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_LIB_OBJS := $(SEGEN_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out -O2 -Wformat=2,$(SEGEN_CFLAGS)) $(FUZZ_FLAGS) -c $< -o $@

$(BUILD)/fuzz/libfuzzer_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) $(SEGEN_BLOBS_OBJ) \
		$(BUILD)/obj/info_schema.o
	$(FUZZ_CC) $(filter-out -O2 -Wformat=2,$(SEGEN_CFLAGS)) $(FUZZ_FLAGS) \
		-fsanitize=fuzzer $^ -o $@ $(SEGEN_LDLIBS)

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer_%) $(FUZZ_SEEDS)/.stamp
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$t; \
		cp -n $(FUZZ_SEEDS)/$$t/* $(BUILD)/fuzz/corpus/$$t/ 2>/dev/null || true; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/libfuzzer_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=262144 \
			-print_final_stats=1 $(BUILD)/fuzz/corpus/$$t 2>&1 | \
			grep -E "^(stat::number_of_executed_units|==|SUMMARY|.*ERROR)" || exit 1; \
	done

# CI smoke: each libFuzzer target for FUZZ_CI_SECONDS on the corpus kept in the
# tree (tests/fuzz/corpus/TARGET, minimised), failing on the first crash, leak
# or sanitizer report. New inputs land in $(BUILD)/fuzz/ci/TARGET, not the tree;
# `make fuzz-corpus` folds them back in, minimised with -merge=1.
FUZZ_CI_SECONDS ?= 25
FUZZ_CORPUS := tests/fuzz/corpus
FUZZ_CI_STATS := $(BUILD)/fuzz/ci/stats.tsv
.PHONY: fuzz-ci fuzz-corpus
fuzz-ci: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer_%)
	FUZZ_BIN_DIR=$(BUILD)/fuzz FUZZ_CORPUS=$(FUZZ_CORPUS) FUZZ_OUT=$(BUILD)/fuzz/ci \
		tests/fuzz/fuzz-ci.sh $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)

fuzz-corpus: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer_%) $(FUZZ_SEEDS)/.stamp
	@for t in $(FUZZ_TARGETS); do \
		found=; for d in $(BUILD)/fuzz/ci/$$t $(BUILD)/fuzz/corpus/$$t; do \
			[ -d $$d ] && found="$$found $$d"; done; \
		rm -rf $(FUZZ_CORPUS)/$$t.new && mkdir -p $(FUZZ_CORPUS)/$$t $(FUZZ_CORPUS)/$$t.new && \
		$(BUILD)/fuzz/libfuzzer_$$t -merge=1 -max_len=262144 $(FUZZ_CORPUS)/$$t.new \
			$(FUZZ_CORPUS)/$$t $(FUZZ_SEEDS)/$$t $$found >/dev/null 2>&1 && \
		rm -rf $(FUZZ_CORPUS)/$$t && mv $(FUZZ_CORPUS)/$$t.new $(FUZZ_CORPUS)/$$t && \
		echo "fuzz-corpus: $$t: $$(ls $(FUZZ_CORPUS)/$$t | wc -l) inputs" || exit 1; \
	done
