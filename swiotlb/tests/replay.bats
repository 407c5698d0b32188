#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# swiotlb-replay as a user runs it.

setup() {
	: "${SWIOTLB_REPLAY:?run through make test}"
	tmp=$(mktemp -d)
	# Three 256 KiB mappings live at once, on CPU 0, then small ones on CPU 1.
	{
		for i in 1 2 3; do echo "map,$i,262144"; done
		for i in 1 2 3; do echo "unmap,$i"; done
		for i in $(seq 10 40); do echo "map,$i,4096,4096,0,0,0,1"; echo "unmap,$i"; done
	} >"$tmp/three.csv"
}

teardown() {
	rm -rf "$tmp"
}

@test "replay reports the peak and recommends the smallest pool that never fails" {
	run "$SWIOTLB_REPLAY" --swiotlb 1024 "$tmp/three.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *"34 maps, 34 unmaps"* ]]
	[[ "$output" == *"peak 384 slots"*", 0 failures"* ]]
	[[ "$output" == *"recommend: swiotlb=1024,2 (the trace needs 512 slots"*"power of two"* ]]
	[[ "$output" == *"one step smaller, swiotlb=256,2, fails 1 times"* ]]
}

@test "the libswiotlb model steps by a segment per area, not by powers of two" {
	run "$SWIOTLB_REPLAY" --model libswiotlb --swiotlb 1024 "$tmp/three.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *"recommend: swiotlb=768,2 (the trace needs 512 slots"* ]]
	[[ "$output" != *"power of two"* ]]
}

@test "a pool the kernel would round is replayed as the kernel makes it" {
	run "$SWIOTLB_REPLAY" --swiotlb 3000,1 --no-recommend "$tmp/three.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Linux 6.1 makes a pool of 4096 slots for swiotlb=3072,1"* ]]
	[[ "$output" == *"pool: 4096 slots"* ]]
}

@test "the pool one step smaller fails in the replay too" {
	run "$SWIOTLB_REPLAY" --swiotlb 256,2 --no-recommend "$tmp/three.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 failures"* ]]
	[[ "$output" == *"first failure at event 3"* ]]
	run "$SWIOTLB_REPLAY" --swiotlb 512,2 --no-recommend "$tmp/three.csv"
	[[ "$output" == *", 0 failures"* ]]
}

@test "JSON output parses and carries the kernel parameter" {
	run "$SWIOTLB_REPLAY" --format json --swiotlb 1024,1 "$tmp/three.csv"
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); \
		assert d["recommendation"]["kernel_parameter"] == "swiotlb=512,1", d; \
		assert d["recommendation"]["min_slabs"] == 384, d; \
		assert d["peak_slots"] == 384 and d["failures"] == 0' "$output"
}

@test "a malformed line names the file and the line, exit 1" {
	printf 'map,1,2048\nmap,2,lots\n' >"$tmp/bad.csv"
	run "$SWIOTLB_REPLAY" "$tmp/bad.csv"
	[ "$status" -eq 1 ]
	[ "$output" = "swiotlb-replay: $tmp/bad.csv: line 2: field 3 is not a number" ]
}

@test "impossible pools are usage errors with one clear line" {
	run "$SWIOTLB_REPLAY" --swiotlb 0 "$tmp/three.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"zero slots"* ]]
	run "$SWIOTLB_REPLAY" --swiotlb 1024,3 "$tmp/three.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"power of two"* ]]
	run "$SWIOTLB_REPLAY" --model libswiotlb --swiotlb 256,4 "$tmp/three.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"more areas than segments"* ]]
	# Linux 6.1 would give each area a segment instead; the replay follows it.
	run "$SWIOTLB_REPLAY" --swiotlb 256,4 --no-recommend "$tmp/three.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *"makes a pool of 512 slots for swiotlb=256,4"* ]]
	run "$SWIOTLB_REPLAY" --margin lots "$tmp/three.csv"
	[ "$status" -eq 2 ]
	run "$SWIOTLB_REPLAY"
	[ "$status" -eq 2 ]
}

@test "a missing trace and a directory are errors naming the path" {
	run "$SWIOTLB_REPLAY" "$tmp/none"
	[ "$status" -eq 1 ]
	[[ "$output" == "swiotlb-replay: $tmp/none: No such file or directory" ]]
	run "$SWIOTLB_REPLAY" "$tmp"
	[ "$status" -eq 1 ]
}

@test "the trace can come on standard input" {
	run bash -c "'$SWIOTLB_REPLAY' --swiotlb 1024 --no-recommend - <'$tmp/three.csv'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"peak 384 slots"* ]]
}

@test "every option in --help is in the man page" {
	run "$SWIOTLB_REPLAY" --help
	[ "$status" -eq 0 ]
	for opt in $(grep -o -- '--[a-z-]*' <<<"$output" | sort -u); do
		grep -q -- "${opt//-/\\\\-}" "$BATS_TEST_DIRNAME/../man/swiotlb-replay.1" ||
			{ echo "missing in the man page: $opt"; return 1; }
	done
}
