# SPDX-License-Identifier: MIT
# A QEMU that plays the Ultravisor (docs/pv-sim.md): Debian 12's qemu source
# package with qemu-patches/series applied, only qemu-system-s390x, linked with
# segen's own UV model (libsegen-uv.a below), built into $(QEMU_CACHE).
#
#   make qemu           fetch (apt source), patch, build (cached); prints the binary
#   make pv-sim-lib     the UV model as one static library for QEMU
#   make pv-sim-test    boot tests with that QEMU (tests/pv-sim/)

QEMU_CACHE ?= $(CACHE_DIR)/qemu
PV_KERNEL_CACHE ?= $(CACHE_DIR)/pv-kernel
PV_SIM_LIB_DIR := $(BUILD)/pv-sim
PV_SIM_LIB := $(PV_SIM_LIB_DIR)/libsegen-uv.a
PV_SIM_LIB_HEADER := $(PV_SIM_LIB_DIR)/segen-uv-sim.h
# inspect/uv_sim.c and exactly what it needs (nm -u shows nothing else of ours is left).
PV_SIM_LIB_SRCS := inspect/uv_sim.c inspect/uv.c base/err.c base/fileio.c base/keymem.c \
	crypto/aead.c crypto/comp.c crypto/keyslot.c format/layout.c format/sehdr.c \
	pki/hostkey.c pki/pki_load.c
PV_SIM_LIB_OBJS := $(PV_SIM_LIB_SRCS:%.c=$(PV_SIM_LIB_DIR)/obj/%.o)
# QEMU links these objects: never with the sanitizers of make check.
PV_SIM_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=% -fno-omit-frame-pointer -O1, \
	$(SEGEN_CFLAGS))
PV_SIM_LIB_EXPORTS := segen_uv_sim_check_key segen_uv_sim_unpack segen_uv_sim_supported_pcf
QEMU_BUILD_SCRIPT := qemu-patches/build-qemu.sh
# What building QEMU needs beyond the project's own packages.
DEB_PACKAGES += meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev dpkg-dev \
	qemu-system-data

.PHONY: qemu pv-sim-lib pv-sim-test

pv-sim-lib: $(PV_SIM_LIB)

$(PV_SIM_LIB_DIR)/obj/%.o: genimage/src/%.c
	@mkdir -p $(@D)
	$(CC) $(PV_SIM_CFLAGS) -MMD -MP -c $< -o $@
-include $(PV_SIM_LIB_OBJS:.o=.d)

# One relocatable object whose only global symbols are the exports, so nothing of
# segen's can clash with a QEMU symbol; libcrypto and libc stay undefined.
$(PV_SIM_LIB): $(PV_SIM_LIB_OBJS) genimage/src/inspect/uv_sim.h
	@mkdir -p $(@D)
	$(LD) -r -o $(@D)/segen-uv.o $(PV_SIM_LIB_OBJS)
	objcopy $(PV_SIM_LIB_EXPORTS:%=--keep-global-symbol=%) $(@D)/segen-uv.o
	@rm -f $@
	$(AR) rcsD $@ $(@D)/segen-uv.o
	cp genimage/src/inspect/uv_sim.h $(PV_SIM_LIB_HEADER)

qemu: $(PV_SIM_LIB)
	QEMU_CACHE=$(QEMU_CACHE) $(QEMU_BUILD_SCRIPT) build $(abspath $(PV_SIM_LIB_DIR))

# Tampered copies of an image, re-sealed so that the check behind the header's
# tag refuses them (tests/pv-sim/pv-sim.bats).
PV_SIM_RESEAL := $(BUILD)/tests/pv-sim-reseal
$(PV_SIM_RESEAL): tests/pv-sim/pv-sim-reseal.c tests/unit/reseal.h $(SEGEN_LIB) $(SEGEN_BLOBS_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) $(SEGEN_LDFLAGS) -Itests/unit $< $(SEGEN_BLOBS_OBJ) $(SEGEN_LIB) \
		-o $@ $(SEGEN_LDLIBS)

# The suite builds what is not cached yet: QEMU (8 to 12 minutes cold on two
# cores) and the protected-guest kernel (about 14), docs/pv-sim.md.
PV_SIM_TEST_ENV = $(TEST_ENV) QEMU_CACHE=$(abspath $(QEMU_CACHE)) \
	PV_KERNEL_CACHE=$(abspath $(PV_KERNEL_CACHE)) PV_SIM_LIB_DIR=$(abspath $(PV_SIM_LIB_DIR))
TEST_SUITES += pv-sim '$(PV_SIM_TEST_ENV) tests/pv-sim/run-pv-sim-tests'
# Enforcement of sharing (tests/pv-sim/enforce.py): about 90 s of boots.
TEST_SUITES += pv-sim-enforce '$(PV_SIM_TEST_ENV) tests/pv-sim/run-enforce-tests'
test-build: $(PV_SIM_LIB) $(PV_SIM_RESEAL)
pv-sim-test: $(SEGEN) $(PV_SIM_LIB) $(PV_SIM_RESEAL) e2e-prereqs
	tests/run-suites pv-sim '$(PV_SIM_TEST_ENV) tests/pv-sim/run-pv-sim-tests' \
		pv-sim-enforce '$(PV_SIM_TEST_ENV) tests/pv-sim/run-enforce-tests'
