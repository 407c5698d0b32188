# SPDX-License-Identifier: MIT
# Shared set-up for the CLI tests. SEGEN and VECTORS_DIR come from `make test`.
: "${SEGEN:?run through make test (SEGEN unset)}"
: "${VECTORS_DIR:?run through make test (VECTORS_DIR unset)}"
VEC="$VECTORS_DIR/genprotimg-2.35"
ASSETS="$VECTORS_DIR/s390-tools-assets"

# write_bytes FILE OFFSET PRINTF-ESCAPED-BYTES: patch bytes into FILE in place
write_bytes() {
	printf "$3" | dd of="$1" bs=1 seek="$(($2))" conv=notrunc status=none
}

# make_kernel FILE [SIZE] [MAX_CMDLINE]: a synthetic raw s390x kernel image
make_kernel() {
	local file=$1 size=${2:-81920} max=${3:-4096}
	truncate -s 0 "$file"
	truncate -s "$size" "$file"
	write_bytes "$file" 0x10008 'S390EP'
	write_bytes "$file" 0x10430 "$(printf '\\x%02x' $(for i in 7 6 5 4 3 2 1 0; do
		echo $(((max >> (8 * i)) & 255)); done))"
}

# make_hkd DIR NAME [CURVE]: a self-signed certificate for a fresh EC key
make_hkd() {
	local dir=$1 name=$2 curve=${3:-secp521r1}
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:"$curve" -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.crt" -subj "/CN=$name" -days 2 \
		2>/dev/null
}

# segen_create ARGS...: create with the usual test inputs
segen_create() {
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify "$@"
}

# assert_one_error_line PATTERN: stderr+stdout is exactly one line matching PATTERN
assert_one_error_line() {
	local lines
	lines=$(printf '%s\n' "$output" | grep -c .)
	if [ "$lines" -ne 1 ]; then
		echo "expected one line of output, got $lines:" >&2
		echo "$output" >&2
		return 1
	fi
	if ! [[ "$output" =~ $1 ]]; then
		echo "output does not match '$1':" >&2
		echo "$output" >&2
		return 1
	fi
}

common_setup() {
	TMP="$BATS_TEST_TMPDIR"
	KERNEL="$TMP/kernel"
	make_kernel "$KERNEL"
	OUT="$TMP/out.img"
}
