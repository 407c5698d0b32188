# SPDX-License-Identifier: MIT
# Boot stub build (cross-compiled s390x). Owned by stub/; see docs/stub.md.
# Contract with the rest of the build:
#   STUB_STAGE_A_BIN (set in the top Makefile)  flat stage-a blob (guest addresses 0 .. end, file offset = address)
#   STUB_STAGE_B_BIN  flat stage-b blob, entry at offset 0, parameters in its last 64 bytes
#   stub-test         stand-alone QEMU tests of the stub, TAP on stdout

STUB_CC := $(CROSS_COMPILE)gcc
STUB_OBJCOPY := $(CROSS_COMPILE)objcopy
STUB_BUILD := $(BUILD)/stub
STUB_OBJ := $(STUB_BUILD)/obj

# Freestanding z/Architecture code (docs/stub.md). The last two
# -f flags keep GCC from turning the copy loops of memset/memmove into calls
# to themselves and from emitting jump tables (absolute addresses, which a
# position-independent stage-b cannot have).
STUB_CFLAGS := -std=gnu11 -m64 -march=z900 -Os -g -ffreestanding -fno-builtin -fno-pic \
	-fno-pie -fno-stack-protector -msoft-float -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks --param=min-pagesize=0 -fno-common \
	-fno-tree-loop-distribute-patterns -fno-jump-tables -fno-tree-switch-conversion \
	-Wall -Wextra -Wshadow -Wconversion -Wmissing-prototypes -Wstrict-prototypes -Wvla \
	-Istub/include -Istub/common -MMD -MP
STUB_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments

STUB_COMMON_OBJS := $(addprefix $(STUB_OBJ)/common/,string.o format.o sclp.o console.o \
	progcheck.o progcheck-entry.o)
STUB_STAGE_A_OBJS := $(addprefix $(STUB_OBJ)/stage-a/,entry.o stage-a.o diag308-text.o) \
	$(STUB_COMMON_OBJS)
STUB_STAGE_B_OBJS := $(addprefix $(STUB_OBJ)/stage-b/,entry.o stage-b.o) $(STUB_COMMON_OBJS)

# Stage-b is linked a second time at this address; both links must give the
# same bytes, which proves the blob contains no absolute address of its own.
STUB_STAGE_B_PROBE_ADDR := 0x12345000

.PHONY: stub stub-test
stub: $(STUB_STAGE_A_BIN) $(STUB_STAGE_B_BIN)

# Objects depend on this file too: a changed flag must rebuild them.
$(STUB_OBJ)/%.o: stub/%.c stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

$(STUB_OBJ)/%.o: stub/%.S stub/stub.mk
	@mkdir -p $(@D)
	$(STUB_CC) $(STUB_CFLAGS) -c $< -o $@

$(STUB_BUILD)/stage-a.elf: $(STUB_STAGE_A_OBJS) stub/stage-a/stage-a.lds
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -T stub/stage-a/stage-a.lds \
		$(STUB_STAGE_A_OBJS) -o $@

$(STUB_STAGE_A_BIN): $(STUB_BUILD)/stage-a.elf
	$(STUB_OBJCOPY) -O binary $< $@

$(STUB_BUILD)/stage-b.elf: $(STUB_STAGE_B_OBJS) stub/stage-b/stage-b.lds
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) -Wl,--defsym=STAGE_B_LINK_ADDR=0 \
		-T stub/stage-b/stage-b.lds $(STUB_STAGE_B_OBJS) -o $@

$(STUB_BUILD)/stage-b-probe.elf: $(STUB_STAGE_B_OBJS) stub/stage-b/stage-b.lds
	$(STUB_CC) $(STUB_CFLAGS) $(STUB_LDFLAGS) \
		-Wl,--defsym=STAGE_B_LINK_ADDR=$(STUB_STAGE_B_PROBE_ADDR) \
		-T stub/stage-b/stage-b.lds $(STUB_STAGE_B_OBJS) -o $@

$(STUB_STAGE_B_BIN): $(STUB_BUILD)/stage-b.elf $(STUB_BUILD)/stage-b-probe.elf
	$(STUB_OBJCOPY) -O binary $(STUB_BUILD)/stage-b.elf $@.tmp
	$(STUB_OBJCOPY) -O binary $(STUB_BUILD)/stage-b-probe.elf $@.probe
	@cmp -s $@.tmp $@.probe || { echo "stub: stage-b depends on its link address" \
		"(an absolute address crept in); see cmp $@.tmp $@.probe" >&2; exit 1; }
	@rm -f $@.probe
	mv $@.tmp $@

-include $(wildcard $(STUB_OBJ)/*/*.d $(STUB_OBJ)/*/*/*.d)

include tests/stub/stub-tests.mk
