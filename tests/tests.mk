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

unit-test: $(UNIT_TESTS)
	tests/run-suites $(foreach t,$(UNIT_TESTS),$(notdir $(t)) '$(TEST_ENV) $(t)')

cli-test: $(SEGEN)
	tests/run-suites cli '$(TEST_ENV) bats --tap tests/cli'

# `make test` builds everything first so a build error is reported as such.
test: all $(UNIT_TESTS) test-prereqs
	tests/run-suites $(TEST_SUITES)

.PHONY: test-prereqs
test-prereqs:

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
check:
	$(MAKE) BUILD=build-san SANITIZE=1 test
