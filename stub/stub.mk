# Boot stub build (cross-compiled s390x). Owned by stub/; see stub/README.md.
# Contract with the rest of the build:
#   STUB_STAGE_A_BIN (set in the top Makefile)  flat stage-a blob (guest addresses 0 .. end, file offset = address)
#   STUB_STAGE_B_BIN  flat stage-b blob, entry at offset 0, parameters in its last 64 bytes
#   stub-test         stand-alone QEMU tests of the stub, TAP on stdout

.PHONY: stub stub-test
stub: $(STUB_STAGE_A_BIN) $(STUB_STAGE_B_BIN)

$(STUB_STAGE_A_BIN) $(STUB_STAGE_B_BIN):
	@echo "stub: not implemented yet" >&2; exit 1
