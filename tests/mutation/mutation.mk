# SPDX-License-Identifier: MIT
# make mutation: the mutation campaign of tests/mutation/mutate.py (not part of
# make test or CI; docs/testing.md says how long it takes and what survives).
.PHONY: mutation mutation-build
MUTATION_ARGS ?=

# What the driver builds in its scratch copy before it runs the fast suites.
mutation-build: all $(UNIT_TESTS) stub-test-prereqs

mutation:
	CACHE_DIR=$(CACHE_DIR) tests/mutation/mutate.py $(MUTATION_ARGS)
