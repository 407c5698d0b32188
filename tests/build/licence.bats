#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Licences: MIT for the project, GPL-2.0 for what goes into Linux (the patches),
# a licence text beside each, and an SPDX line in every source file that agrees.
load helpers

# Files that carry no SPDX line: data (the test vectors, with their own licence
# notes, the swiotlb fuzz seeds and the fuzz corpus), documents, licence texts,
# the patches (whose kernel files carry the kernel's SPDX lines inside), the
# kernel's config fragment (a line there would change the kernel build's cache
# key for nothing) and the Debian metadata that is not code.
not_source() {
	grep -v -E '^(tests/vectors/|swiotlb/fuzz/seeds/|tests/fuzz/corpus/|kernel-patches/config/|debian/(changelog|control|copyright|source/|[^/]*\.docs$))|(^|/)(LICENSE|COPYING|VERSION|series|\.gitignore|\.clang-format)$|\.(md|patch|txt)$'
}

@test "LICENSE at the top is the MIT licence" {
	head -n 1 "$REPO/LICENSE" | grep -qx 'MIT License'
	grep -q '^Permission is hereby granted, free of charge, to any person obtaining a copy$' \
		"$REPO/LICENSE"
	grep -q '^THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR$' \
		"$REPO/LICENSE"
}

@test "kernel-patches/COPYING is the GPL version 2 text" {
	cmp "$REPO/kernel-patches/COPYING" /usr/share/common-licenses/GPL-2
}

@test "every source file has an SPDX line near its top" {
	local f missing=()
	while IFS= read -r f; do
		head -n 3 "$REPO/$f" | grep -q 'SPDX-License-Identifier: ' || missing+=("$f")
	done < <(git -C "$REPO" ls-files | not_source)
	printf 'no SPDX line: %s\n' "${missing[@]}"
	[ ${#missing[@]} -eq 0 ]
}

@test "outside the patches every SPDX line says MIT" {
	run bash -c "git -C '$REPO' grep -h -o -E 'SPDX-License-Identifier: [^ */]+' -- \
		':!*.patch' ':!tests/build/licence.bats' | sort | uniq -c"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	! printf '%s\n' "$output" | grep -v 'SPDX-License-Identifier: MIT$'
}

@test "every file a patch adds to Linux carries the kernel's GPL-2.0 SPDX line" {
	local p added tagged
	for p in "$REPO"/kernel-patches/*/*.patch; do
		added=$(grep -c '^--- /dev/null$' "$p" || true)
		tagged=$(grep -c -E '^\+(//|/\*|#) SPDX-License-Identifier: GPL-2\.0' "$p" || true)
		[ "$added" -eq "$tagged" ] || { echo "$p: $added new files, $tagged SPDX lines" >&2; return 1; }
		! grep -E '^\+.*SPDX-License-Identifier:' "$p" | grep -v -q 'GPL-2\.0'
	done
}

@test "debian/copyright covers both licences and the test assets' own" {
	local c="$REPO/debian/copyright"
	grep -qx 'Files: \*' "$c"
	grep -qx 'Files: kernel-patches/\*/\*.patch' "$c"
	grep -qx 'License: GPL-2' "$c"
	grep -qx 'License: Expat' "$c"
	grep -qx 'Files: tests/vectors/s390-tools-assets/\*' "$c"
	[ -f "$REPO/tests/vectors/s390-tools-assets/LICENSE.s390-tools" ]
}
