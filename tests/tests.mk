# SPDX-License-Identifier: MIT
# Test suites. Every suite writes TAP; tests/run-suites adds them up and ends
# with "N passed, N failed, N skipped". Parts append to TEST_SUITES as
#   TEST_SUITES += name '$(TEST_ENV) command'   (TEST_SUITES is recursively expanded)

UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(SEGEN_LIB) $(SEGEN_BLOBS_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) $(SEGEN_LDFLAGS) -Itests/unit $< $(SEGEN_BLOBS_OBJ) $(SEGEN_LIB) \
		-o $@ $(SEGEN_LDLIBS)

TEST_SUITES += $(foreach t,$(UNIT_TESTS),$(notdir $(t)) '$(TEST_ENV) $(t)')
TEST_SUITES += cli '$(TEST_ENV) bats --tap tests/cli'

# Some unit tests read Debian's s390x kernel (STUB_REAL_KERNEL), so unit-test
# fetches the guest first, as make test does.
unit-test: $(UNIT_TESTS) e2e-prereqs
	tests/run-suites $(foreach t,$(UNIT_TESTS),$(notdir $(t)) '$(TEST_ENV) $(t)')

# The unit suites that need nothing but this tree: those that do not read the
# downloaded kernel. A Debian package build, which has no network, runs these.
OFFLINE_UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%, \
	$(shell grep -L STUB_REAL_KERNEL $(UNIT_TEST_SRCS)))
.PHONY: unit-test-offline
unit-test-offline: $(OFFLINE_UNIT_TESTS)
	tests/run-suites $(foreach t,$(OFFLINE_UNIT_TESTS),$(notdir $(t)) '$(TEST_ENV) $(t)')

# LD_PRELOAD shim for tests/cli/reliability.bats (no O_TMPFILE, stop at a write);
# gdb's gcore takes the cores that test searches for keys.
DEB_PACKAGES += gdb
RELIAB_SHIM := $(BUILD)/tests/no_tmpfile.so
$(RELIAB_SHIM): tests/shim/no_tmpfile.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -shared -fPIC -Wl,-z,now $< -o $@ -ldl

# The tamper and malformed-input sweep (tests/tamper): one image, every change.
TAMPER := $(BUILD)/tests/tamper
$(TAMPER): tests/tamper/tamper.c tests/unit/tap.h $(SEGEN_LIB) $(SEGEN_BLOBS_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) $(SEGEN_LDFLAGS) -Itests/unit $< $(SEGEN_BLOBS_OBJ) $(SEGEN_LIB) \
		-o $@ $(SEGEN_LDLIBS)
TEST_SUITES += tamper '$(TEST_ENV) tests/tamper/run-tamper'
# Real cores searched for keys; not in USERSPACE_SUITES (see tests/cores/cores.bats).
TEST_SUITES += cores '$(TEST_ENV) bats --tap tests/cores'
.PHONY: tamper-test reliability-report
# docs/reliability.md, regenerated from the tamper sweep and a fuzz-ci run.
reliability-report: $(SEGEN) $(TAMPER) fuzz-ci
	$(TEST_ENV) scripts/reliability-report.sh docs/reliability.md
tamper-test: $(SEGEN) $(TAMPER)
	tests/run-suites tamper '$(TEST_ENV) tests/tamper/run-tamper'

cli-test: $(SEGEN) $(RELIAB_SHIM)
	tests/run-suites cli '$(TEST_ENV) bats --tap tests/cli'

# End to end: Debian's s390x kernel and busybox, downloaded once into CACHE_DIR;
# for the zipl disk boot (tests/e2e/zipl.bats) also Debian's s390-tools (s390x),
# run under qemu-s390x-static, and a loop-mounted ext2 disk image.
DEB_PACKAGES += qemu-user-static libc6-s390x-cross e2fsprogs util-linux
TEST_SUITES += e2e '$(TEST_ENV) bats --tap tests/e2e'
.PHONY: e2e-prereqs e2e-test
e2e-prereqs:
	CACHE_DIR=$(CACHE_DIR) scripts/fetch-guest.sh
	CACHE_DIR=$(CACHE_DIR) scripts/fetch-zipl.sh
e2e-test: $(SEGEN) e2e-prereqs
	tests/run-suites e2e '$(TEST_ENV) bats --tap tests/e2e'

# Images at the edge of what QEMU boots (tests/e2e/big, docs/format.md "How
# large an image boots"): four images of about 2 GiB, minutes under TCG,
# so a suite of its own, not in make test. Needs root (loop device, mount).
.PHONY: big-image-test
big-image-test: $(SEGEN) e2e-prereqs
	tests/run-suites big-image '$(TEST_ENV) bats --tap tests/e2e/big'

# The build system itself: a fresh clone stands alone, licences, hardening,
# reproducible builds, the Debian package (tests/build/).
DEB_PACKAGES += devscripts debhelper lintian fakeroot dpkg-dev git
TEST_SUITES += build '$(TEST_ENV) SANITIZE=$(SANITIZE) bats --tap tests/build'

# `make test` installs what is missing (NO_DEPS=1 skips that), then builds
# everything, so a build error is reported as such, then runs every suite, or
# those SUITES names (shell patterns: SUITES='cli fuzz-*').
.PHONY: test-build test-prereqs check-userspace
SUITES ?=
test:
ifeq ($(NO_DEPS),)
	@$(MAKE) --no-print-directory deps
endif
	@$(MAKE) --no-print-directory test-build
	SUITES='$(SUITES)' tests/run-suites $(TEST_SUITES)

test-build: all $(UNIT_TESTS) $(RELIAB_SHIM) $(TAMPER) test-prereqs
test-prereqs: e2e-prereqs

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
# No directory lines from the recursive make: nothing in the output may depend
# on how deep the make that runs it is.
check:
	$(MAKE) --no-print-directory BUILD=build-san SANITIZE=1 test

# The userspace suites alone under the sanitizers (CI runs this after make test):
# unit, cli, fuzz, the stub's decoder and libswiotlb's, not the kernel or QEMU
# suites again.
USERSPACE_SUITES := test_* cli fuzz-* stub-decode swiotlb-test_* swiotlb-replay
check-userspace:
	$(MAKE) --no-print-directory BUILD=build-san SANITIZE=1 SUITES='$(USERSPACE_SUITES)' test
