# SPDX-License-Identifier: MIT
# segen: the image builder and inspector.
SEGEN_LIB := $(BUILD)/libsegen.a
# The names of IBM's tools segen answers to (cli/main.c), as links in build/ and installed.
SEGEN_LINKS := pvimg genprotimg pvextract-hdr

WARN_CFLAGS := -Wall -Wextra -Wshadow -Wconversion -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wimplicit-fallthrough
SEGEN_CFLAGS := -std=gnu11 -O2 -g -pthread -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	-DSEGEN_VERSION='"$(VERSION)"' -Igenimage/src -Istub/include $(WARN_CFLAGS)
SEGEN_LDLIBS := -lcrypto -lcurl -larchive -lz -lzstd -llzma -ljson-c -pthread
# ISA-L's inflater when its headers are there (ISAL=0 builds the zlib fallback).
ISAL ?= $(shell test -e /usr/include/isa-l/igzip_lib.h && echo 1 || echo 0)
ifeq ($(ISAL),1)
SEGEN_CFLAGS += -DSEGEN_HAVE_ISAL
SEGEN_LDLIBS += -lisal
endif
# json-c writes the JSON documents; the schema of info's is tested with python3-jsonschema.
DEB_PACKAGES += libjson-c-dev python3-jsonschema
# Bind every symbol at start: the dynamic linker's lazy resolver saves the vector
# registers (which a memcpy of a key has just used) on the stack, where a core
# would find them (tests/cores/cores.bats).
SEGEN_LDFLAGS += -Wl,-z,now -Wl,-z,relro
ifneq ($(SANITIZE),)
SEGEN_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
SEGEN_LDFLAGS += -fsanitize=address,undefined
endif
SEGEN_CFLAGS += $(EXTRA_CFLAGS)
# Hardening defaults, then the caller's CPPFLAGS/CFLAGS/LDFLAGS (mk/flags.mk).
SEGEN_CFLAGS += $(HOST_CFLAGS)
SEGEN_LDFLAGS += $(HOST_LDFLAGS)

# One folder per stage of the data flow: cli -> create (inputs) -> pki -> format
# (header, layout) -> crypto (key slots, components) -> base (output); inspect reads
# an image back. See docs/architecture.md.
SEGEN_MAIN_SRC := genimage/src/cli/main.c
SEGEN_LIB_SRCS := $(filter-out $(SEGEN_MAIN_SRC),$(wildcard genimage/src/*/*.c))
SEGEN_LIB_OBJS := $(SEGEN_LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/info_schema.o
SEGEN_BLOBS_OBJ := $(BUILD)/obj/stub_blobs.o

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SEGEN_CFLAGS) -MMD -MP -c $< -o $@

# The JSON Schema of `info --format json`, printed by `info --print-schema json`.
$(BUILD)/obj/info_schema.o: genimage/info_schema.S genimage/schema/info-v1.schema.json
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(SEGEN_LIB): $(SEGEN_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The stub blobs are embedded with .incbin so segen is one self-contained file.
$(BUILD)/gen/stub_blobs.S: genimage/stub_blobs.S.in $(STUB_STAGE_A_BIN) $(STUB_STAGE_B_BIN)
	@mkdir -p $(@D)
	sed -e 's|@STAGE_A@|$(abspath $(STUB_STAGE_A_BIN))|' \
	    -e 's|@STAGE_B@|$(abspath $(STUB_STAGE_B_BIN))|' $< > $@
$(SEGEN_BLOBS_OBJ): $(BUILD)/gen/stub_blobs.S
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(SEGEN): $(BUILD)/obj/$(SEGEN_MAIN_SRC:.c=.o) $(SEGEN_BLOBS_OBJ) $(SEGEN_LIB)
	$(CC) $(SEGEN_LDFLAGS) -o $@ $^ $(SEGEN_LDLIBS)
	for n in $(SEGEN_LINKS); do ln -sf segen $(BUILD)/$$n; done

-include $(SEGEN_LIB_OBJS:.o=.d) $(BUILD)/obj/$(SEGEN_MAIN_SRC:.c=.d)

# launch-config's tests validate the libvirt domain with virt-xml-validate
# (libvirt-clients; the schemas come with its dependency libvirt0), a script
# around xmllint, which libvirt-clients does not depend on.
DEB_PACKAGES += libvirt-clients libxml2-utils

# Documentation installed with segen (`make install`): a man page per command,
# genprotimg(1) as create's, and the bash completion for every name of segen.
SEGEN_MAN_PAGES := $(wildcard genimage/man/*.1)
SEGEN_MAN_OUT := $(SEGEN_MAN_PAGES:genimage/man/%=$(BUILD)/man/%)
MAN1_DIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASH_COMPLETION_DIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions

# The man pages as installed: their version is VERSION and, when SOURCE_DATE_EPOCH
# is set (a Debian build sets it from debian/changelog), their date is that day, so
# a page does not depend on when it was built; otherwise it keeps the date written
# in it, the release's. Regenerated every time (it is cheap), replaced only when
# it changed.
MAN_DATE = $(if $(SOURCE_DATE_EPOCH),$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d))
.PHONY: $(SEGEN_MAN_OUT)
$(SEGEN_MAN_OUT): $(BUILD)/man/%: genimage/man/% VERSION
	@mkdir -p $(@D)
	@sed -e '/^\.TH /{s/"segen [^"]*"/"segen $(VERSION)"/' \
		$(if $(MAN_DATE),-e 's/"[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}"/"$(MAN_DATE)"/') \
		-e '}' $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

.PHONY: install-segen-docs uninstall-segen-docs
install-segen-docs: $(SEGEN_MAN_OUT)
	install -d $(MAN1_DIR) $(BASH_COMPLETION_DIR)
	install -m 0644 $(SEGEN_MAN_OUT) $(MAN1_DIR)/
	ln -sf segen-create.1 $(MAN1_DIR)/genprotimg.1
	ln -sf segen.1 $(MAN1_DIR)/pvimg.1
	install -m 0644 genimage/completion/segen.bash $(BASH_COMPLETION_DIR)/segen
	ln -sf segen $(BASH_COMPLETION_DIR)/genprotimg
	ln -sf segen $(BASH_COMPLETION_DIR)/pvimg
uninstall-segen-docs:
	rm -f $(addprefix $(MAN1_DIR)/,$(notdir $(SEGEN_MAN_PAGES)) genprotimg.1 pvimg.1) \
		$(addprefix $(BASH_COMPLETION_DIR)/,segen genprotimg pvimg)
