# SPDX-License-Identifier: MIT
# Issue 5: guest kernel patches for protected virtualization (s390x).
#
#   make kernel-test   unpack Debian's linux-source-6.1, apply the series,
#                      build a small s390x guest kernel (cached under
#                      $(CACHE_DIR)/kernel/), build the test initramfs, boot
#                      the scenarios under qemu-system-s390x, run the
#                      keyless lint; TAP, summed up by tests/run-suites.
#
# The kernel build uses at most two jobs (KERNEL_JOBS=1 for one).

DEB_PACKAGES += patch python3 gcc-s390x-linux-gnu binutils-s390x-linux-gnu \
	libc6-dev-s390x-cross qemu-system-misc linux-source-6.1 bc flex bison \
	libelf-dev cpio gzip xz-utils perl

KERNEL_TEST_CMD := kernel-patches/scripts/run-tests.sh

KUNIT_TEST_CMD := kernel-patches/scripts/run-kunit.sh

TEST_SUITES += kernel '$(TEST_ENV) $(KERNEL_TEST_CMD)'
TEST_SUITES += kunit '$(TEST_ENV) $(KUNIT_TEST_CMD)'

kernel-test:
	tests/run-suites kernel '$(TEST_ENV) $(KERNEL_TEST_CMD)' \
		kunit '$(TEST_ENV) $(KUNIT_TEST_CMD)'
