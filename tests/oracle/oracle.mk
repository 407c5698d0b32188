# SPDX-License-Identifier: MIT
# The independent oracle (tests/oracle/se_oracle.py): a second implementation
# of the digests and the page decryption, in Python, for the tests only.
DEB_PACKAGES += python3-cryptography

TEST_SUITES += oracle '$(TEST_ENV) bats --tap tests/oracle'

.PHONY: oracle-test
oracle-test: $(SEGEN) e2e-prereqs
	tests/run-suites oracle '$(TEST_ENV) bats --tap tests/oracle'
