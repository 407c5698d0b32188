# SPDX-License-Identifier: MIT
# IBM Z Secure Execution guest toolkit: one make for everything.
#
#   make            build segen (with the s390x boot stub embedded)
#   make test       run every test suite; ends with "N passed, N failed, N skipped"
#   make check      the whole suite again, built with ASan + UBSan
#   make check-userspace  unit, cli, fuzz and stub-decoder suites with ASan + UBSan
#                   (SUITES='cli fuzz-*' picks suites by name for test and check)
#   make bench      speed and memory ratios (printed, not asserted by tests)
#   make demo       fetch a Debian s390x kernel, build and boot-test a sample image
#   make deps       install the Debian packages everything above needs (idempotent)
#   make install    PREFIX=/usr/local DESTDIR= : segen, its IBM-named links, man pages,
#                   bash completion
#
# CPPFLAGS, CFLAGS and LDFLAGS from the environment are added after the project's
# flags and the hardening defaults (mk/flags.mk); SOURCE_DATE_EPOCH dates the man pages.

BUILD ?= build
CACHE_DIR ?= $(CURDIR)/.cache
PREFIX ?= /usr/local
DESTDIR ?=
CROSS_COMPILE ?= s390x-linux-gnu-
CC ?= cc
SANITIZE ?=

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Paths every part may use; the fragments below add their rules and suites.
SEGEN := $(BUILD)/segen
STUB_STAGE_A_BIN := $(BUILD)/stub/stage-a.bin
STUB_STAGE_B_BIN := $(BUILD)/stub/stage-b.bin
VECTORS_DIR ?= $(CURDIR)/tests/vectors
export VECTORS_DIR CACHE_DIR
TEST_ENV = SEGEN=$(abspath $(SEGEN)) BUILD_DIR=$(abspath $(BUILD)) VECTORS_DIR=$(VECTORS_DIR) \
	CACHE_DIR=$(CACHE_DIR) STUB_STAGE_A_BIN=$(abspath $(STUB_STAGE_A_BIN)) \
	STUB_STAGE_B_BIN=$(abspath $(STUB_STAGE_B_BIN)) \
	STUB_REAL_KERNEL=$(CACHE_DIR)/guest/vmlinuz STUB_REAL_BUSYBOX=$(CACHE_DIR)/guest/busybox
# Each part appends: TEST_SUITES += name '$(TEST_ENV) command-printing-TAP'
TEST_SUITES =

.PHONY: all test check bench fuzz demo deps install uninstall clean format format-check \
	kernel-test unit-test cli-test qemu-test
all:

include mk/deps.mk
include mk/flags.mk
include stub/stub.mk
include genimage/genimage.mk
include tests/tests.mk
include tests/fuzz/fuzz.mk
include swiotlb/swiotlb.mk
include tests/oracle/oracle.mk
include tests/mutation/mutation.mk
-include kernel-patches/kernel.mk
include qemu-patches/qemu.mk

all: $(SEGEN) $(SEGEN_MAN_OUT)

install: $(SEGEN) install-segen-docs
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(SEGEN) $(DESTDIR)$(PREFIX)/bin/segen
	for n in $(SEGEN_LINKS); do ln -sf segen $(DESTDIR)$(PREFIX)/bin/$$n; done

uninstall: uninstall-segen-docs
	rm -f $(DESTDIR)$(PREFIX)/bin/segen $(SEGEN_LINKS:%=$(DESTDIR)$(PREFIX)/bin/%)

# The main job on built-in sample data (README: the first command).
demo:
ifeq ($(NO_DEPS),)
	@$(MAKE) --no-print-directory deps
endif
	@$(MAKE) --no-print-directory all pv-sim-lib
	SEGEN=$(abspath $(SEGEN)) CACHE_DIR=$(CACHE_DIR) DEMO_DIR=$(abspath $(BUILD))/demo \
		PV_SIM_QEMU="$$(QEMU_CACHE=$(QEMU_CACHE) $(QEMU_BUILD_SCRIPT) path $(PV_SIM_LIB_DIR) \
		2>/dev/null)" scripts/demo.sh

# Ratios measured side by side in one run, against floors and IBM's genprotimg
# (bench/bench.sh). BENCH_SIZES="64 512 1536" for the full set.
BENCH_SIZES ?= 64 512
BENCH_ROUNDS ?= 3
BENCH_PACKAGES := libglib2.0-dev libssl-dev libcurl4-openssl-dev libjson-c-dev pkg-config \
	dpkg-dev zstd python3
bench: $(SEGEN) e2e-prereqs
ifeq ($(NO_DEPS),)
	DEB_PACKAGES="$(sort $(BENCH_PACKAGES))" CACHE_DIR="$(CACHE_DIR)" scripts/deps.sh
endif
	SEGEN=$(abspath $(SEGEN)) CACHE_DIR=$(CACHE_DIR) BENCH_SIZES="$(BENCH_SIZES)" \
		BENCH_ROUNDS=$(BENCH_ROUNDS) bench/bench.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' | grep -v '^kernel-patches/')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) build-san
