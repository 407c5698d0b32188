# SPDX-License-Identifier: MIT
# make mutation: the mutation campaign of tests/mutation/mutate.py (not part of
# make test or CI; docs/testing.md says how long it takes and what survives).
.PHONY: mutation mutation-build mutation-report
MUTATION_ARGS ?=

# What the driver builds in its scratch copy before it runs the fast suites:
# segen, the unit tests, the stub and its tests, libswiotlb's tests and replay.
mutation-build: all $(UNIT_TESTS) stub-test-prereqs $(SWIOTLB_TESTS) $(SWIOTLB_REPLAY)

mutation:
	CACHE_DIR=$(CACHE_DIR) nice -n 19 tests/mutation/mutate.py $(MUTATION_ARGS)

# The per-module table of docs/testing.md, from the stored results.
mutation-report:
	tests/mutation/mutate.py --report --markdown $(MUTATION_ARGS)
