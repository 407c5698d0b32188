# SPDX-License-Identifier: MIT
# Issue 5 and 13: guest kernel patches for protected virtualization (s390x),
# one series per kernel: kernel-patches/6.1 (Debian 12's linux-source-6.1)
# and kernel-patches/6.12 (Debian 13's linux-source-6.12, fetched into
# $(CACHE_DIR)/kernel-source by scripts/fetch-linux-source.sh).
#
#   make kernel-test   for each series: unpack the source, apply the series,
#                      build a small s390x guest kernel (cached under
#                      $(CACHE_DIR)/kernel/<series>/), build the test
#                      initramfs, boot the scenarios under
#                      qemu-system-s390x, run the keyless lint, then boot
#                      the same kernel once more for its KUnit tests; TAP,
#                      two suites per series (kernel-6.1 and kunit-6.1,
#                      kernel-6.12 and kunit-6.12), summed up by
#                      tests/run-suites. KERNEL_SERIES=6.12 runs one series.
#
# The kernel build uses at most two jobs (KERNEL_JOBS=1 for one).

DEB_PACKAGES += patch python3 gcc-s390x-linux-gnu binutils-s390x-linux-gnu \
	libc6-dev-s390x-cross qemu-system-misc linux-source-6.1 bc flex bison \
	libelf-dev cpio gzip xz-utils perl debian-archive-keyring

KERNEL_SERIES ?= 6.1 6.12
KERNEL_TEST_CMD := kernel-patches/scripts/run-tests.sh
KUNIT_TEST_CMD := kernel-patches/scripts/run-kunit.sh
KERNEL_SUITES = $(foreach s,$(KERNEL_SERIES), \
	kernel-$(s) '$(TEST_ENV) KERNEL_SERIES=$(s) $(KERNEL_TEST_CMD)' \
	kunit-$(s) '$(TEST_ENV) KERNEL_SERIES=$(s) $(KUNIT_TEST_CMD)')

TEST_SUITES += $(KERNEL_SUITES)

kernel-test:
	tests/run-suites $(KERNEL_SUITES)

# Debian 13's linux-source-6.12 is not an installable package here: make deps
# fetches it into the cache (the kernel build does too when it is missing).
deps: kernel-source

kernel-source:
	CACHE_DIR="$(CACHE_DIR)" kernel-patches/scripts/fetch-linux-source.sh >/dev/null

.PHONY: kernel-source
