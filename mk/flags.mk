# SPDX-License-Identifier: MIT
# Compiler and linker flags for the host programs: segen, its unit tests and the
# fuzz drivers. genimage/genimage.mk adds HOST_CFLAGS and HOST_LDFLAGS after its own
# flags, so the order on every command line is: the project's flags, the hardening
# defaults below, then the caller's CPPFLAGS, CFLAGS and LDFLAGS (a Debian build
# passes dpkg-buildflags' there). The caller's come last, so they add to ours or
# override one of them (CFLAGS=-O0), and are never dropped.
#
# The s390x boot stub is not a host program: it is freestanding code without libc
# or a loader, so fortified libc calls, PIE and RELRO mean nothing there, and its
# flags (stub/stub.mk) ignore these on purpose.

HOST_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)

# Fortified libc calls, at the caller's level if the caller picked one. Sanitizer
# builds go without (-U below): both build and pass together, but where a size is
# known glibc's fortified wrapper (__read_chk, ...) ends the program with a bare
# "buffer overflow detected" before ASan can report the overflow with its trace.
ifeq ($(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),)
HARDEN_CPPFLAGS := -D_FORTIFY_SOURCE=2
endif

HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection -fPIE
ifneq ($(filter x86_64-% i686-% i386-%,$(HOST_TRIPLET)),)
HARDEN_CFLAGS += -fcf-protection
endif
ifneq ($(filter aarch64-%,$(HOST_TRIPLET)),)
HARDEN_CFLAGS += -mbranch-protection=standard
endif
HARDEN_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now

# Reproducible: no build directory in the debug information or in __FILE__.
REPRO_CFLAGS := -ffile-prefix-map=$(CURDIR)=.

HOST_CFLAGS = $(REPRO_CFLAGS) $(HARDEN_CPPFLAGS) $(HARDEN_CFLAGS) $(CPPFLAGS) $(CFLAGS) \
	$(if $(SANITIZE),-U_FORTIFY_SOURCE)
HOST_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)
