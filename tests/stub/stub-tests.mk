# SPDX-License-Identifier: MIT
# The stub's QEMU tests (included from stub/stub.mk). Everything built here is
# test-only and lives under $(BUILD)/stub/test, apart from the blobs segen embeds.

STUB_TEST_BUILD := $(STUB_BUILD)/test
STUB_TESTIMG := $(STUB_TEST_BUILD)/stub-testimg
STUB_TEST_STAGE_A_SKIP_FACILITY := $(STUB_TEST_BUILD)/stage-a-skip-facility-check.bin
STUB_TEST_STAGE_A_SCLP_DEAF := $(STUB_TEST_BUILD)/stage-a-sclp-ignore-signals.bin
STUB_FAKE_KERNEL_BIN := $(STUB_TEST_BUILD)/fake-kernel.bin
STUB_KUT_PAYLOAD_BIN := $(STUB_TEST_BUILD)/kut-payload.bin

STUB_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wconversion -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla -Istub/include
ifneq ($(SANITIZE),)
STUB_HOST_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif

$(STUB_TESTIMG): tests/stub/stub-testimg.c stub/include/stub-abi.h tests/stub/stub-tests.mk
	@mkdir -p $(@D)
	$(CC) $(STUB_HOST_CFLAGS) $< -o $@

# Host test of the return-code texts and the wait-code table (TAP).
STUB_DECODE_TEST := $(STUB_TEST_BUILD)/test-stub-decode
$(STUB_DECODE_TEST): tests/stub/test-stub-decode.c stub/stage-a/diag308-text.c \
		stub/stage-a/stage-a.h stub/include/stub-wait-codes.h tests/unit/tap.h \
		tests/stub/stub-tests.mk
	@mkdir -p $(@D)
	$(CC) $(STUB_HOST_CFLAGS) -Istub/stage-a -Itests/unit tests/stub/test-stub-decode.c \
		stub/stage-a/diag308-text.c -o $@

# A stage-a that skips the facility 161 check, so QEMU reaches DIAGNOSE 308.
$(STUB_OBJ)/test/stage-a-skip-facility-check.o: stub/stage-a/stage-a.c stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -DSTUB_TEST_SKIP_FACILITY_CHECK -c $< -o $@

STUB_TEST_STAGE_A_OBJS := $(STUB_OBJ)/test/stage-a-skip-facility-check.o \
	$(filter-out $(STUB_OBJ)/stage-a/stage-a.o,$(STUB_STAGE_A_OBJS))

$(STUB_TEST_BUILD)/stage-a-skip-facility-check.elf: $(STUB_TEST_STAGE_A_OBJS) \
		stub/stage-a/stage-a.lds
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -T stub/stage-a/stage-a.lds \
		$(STUB_TEST_STAGE_A_OBJS) -o $@

$(STUB_TEST_STAGE_A_SKIP_FACILITY): $(STUB_TEST_BUILD)/stage-a-skip-facility-check.elf
	$(STUB_OBJCOPY) -O binary $< $@

# A stage-a whose SCLP driver ignores service signals: waits end at deadlines.
$(STUB_OBJ)/test/sclp-ignore-signals.o: stub/common/sclp.c stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -DSTUB_TEST_SCLP_IGNORE_SIGNALS -c $< -o $@

STUB_TEST_STAGE_A_DEAF_OBJS := $(STUB_OBJ)/test/sclp-ignore-signals.o \
	$(filter-out $(STUB_OBJ)/common/sclp.o,$(STUB_STAGE_A_OBJS))

$(STUB_TEST_BUILD)/stage-a-sclp-ignore-signals.elf: $(STUB_TEST_STAGE_A_DEAF_OBJS) \
		stub/stage-a/stage-a.lds
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -T stub/stage-a/stage-a.lds \
		$(STUB_TEST_STAGE_A_DEAF_OBJS) -o $@

$(STUB_TEST_STAGE_A_SCLP_DEAF): $(STUB_TEST_BUILD)/stage-a-sclp-ignore-signals.elf
	$(STUB_OBJCOPY) -O binary $< $@

# The test kernel, built from the same console code as the stub.
$(STUB_OBJ)/fake-kernel/%.o: tests/stub/fake-kernel/%.c stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

$(STUB_OBJ)/fake-kernel/%.o: tests/stub/fake-kernel/%.S stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

STUB_FAKE_KERNEL_OBJS := $(STUB_OBJ)/fake-kernel/head.o $(STUB_OBJ)/fake-kernel/fake-kernel.o \
	$(STUB_COMMON_OBJS)

$(STUB_TEST_BUILD)/fake-kernel.elf: $(STUB_FAKE_KERNEL_OBJS) tests/stub/fake-kernel/fake-kernel.lds
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -T tests/stub/fake-kernel/fake-kernel.lds \
		$(STUB_FAKE_KERNEL_OBJS) -o $@

$(STUB_FAKE_KERNEL_BIN): $(STUB_TEST_BUILD)/fake-kernel.elf
	$(STUB_OBJCOPY) -O binary $< $@

# A payload that is not Linux, in the shape of a kvm-unit-tests PV test.
$(STUB_OBJ)/kut-payload/%.o: tests/stub/kut-payload/%.c stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

$(STUB_OBJ)/kut-payload/%.o: tests/stub/kut-payload/%.S stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

STUB_KUT_PAYLOAD_OBJS := $(STUB_OBJ)/kut-payload/head.o $(STUB_OBJ)/kut-payload/kut-payload.o \
	$(STUB_COMMON_OBJS)

$(STUB_TEST_BUILD)/kut-payload.elf: $(STUB_KUT_PAYLOAD_OBJS) tests/stub/kut-payload/kut-payload.lds
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -T tests/stub/kut-payload/kut-payload.lds \
		$(STUB_KUT_PAYLOAD_OBJS) -o $@

$(STUB_KUT_PAYLOAD_BIN): $(STUB_TEST_BUILD)/kut-payload.elf
	$(STUB_OBJCOPY) -O binary $< $@

.PHONY: stub-test-prereqs
stub-test-prereqs: $(STUB_STAGE_A_BIN) $(STUB_STAGE_B_BIN) $(STUB_TESTIMG) $(STUB_DECODE_TEST) \
	$(STUB_TEST_STAGE_A_SKIP_FACILITY) $(STUB_TEST_STAGE_A_SCLP_DEAF) $(STUB_FAKE_KERNEL_BIN) \
	$(STUB_KUT_PAYLOAD_BIN) $(SEGEN)
test-prereqs: stub-test-prereqs

STUB_TEST_SUITES = stub-decode '$(TEST_ENV) $(abspath $(STUB_DECODE_TEST))' \
	stub '$(TEST_ENV) bats --tap tests/stub'
TEST_SUITES += $(STUB_TEST_SUITES)

stub-test: stub-test-prereqs
	tests/run-suites $(STUB_TEST_SUITES)
