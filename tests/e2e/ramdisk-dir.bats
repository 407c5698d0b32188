#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --ramdisk-dir on the real path: a directory with busybox becomes the
# initramfs of an image, Debian's s390x kernel unpacks it and runs its /init,
# which shows that a symlink (its own #! interpreter), a hard link, a device
# node and a FIFO came out as such.

setup_file() {
	: "${SEGEN:?}" "${CACHE_DIR:?}"
	export GUEST="$CACHE_DIR/guest"
	[ -s "$GUEST/vmlinuz" ] && [ -s "$GUEST/busybox" ] || {
		echo "no guest in $GUEST: run scripts/fetch-guest.sh (make e2e-prereqs)" >&2
		return 1
	}
	export W="$BATS_FILE_TMPDIR"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=e2e ramdisk-dir host" \
		-days 1 2>/dev/null
}

@test "the real kernel boots an initramfs made with --ramdisk-dir" {
	local root="$W/root" marker="RAMDISK-DIR-$$"
	"$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" --tree "$GUEST/busybox" "$root"
	ln -s busybox "$root/bin/sh"
	mkdir "$root/etc"
	printf '%s' "$marker" > "$root/etc/m1"
	ln "$root/etc/m1" "$root/etc/m2"
	mkfifo "$root/etc/fifo"
	# A device node needs CAP_MKNOD (CI runs as root); without it the guest says so.
	local nodes=yes
	mknod "$root/etc/zero" c 1 5 2>/dev/null || nodes=no
	cat > "$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
same=no nodes=no
[ /etc/m1 -ef /etc/m2 ] && same=yes
[ -c /etc/zero ] && [ -p /etc/fifo ] && [ "$(/bin/busybox head -c 3 /etc/zero | /bin/busybox od -An -tx1)" = " 00 00 00" ] && nodes=yes
echo "segen-guest: nodes=$nodes links=$(/bin/busybox stat -c %h /etc/m2) same=$same text=$(/bin/busybox cat /etc/m1)"
/bin/busybox poweroff -f
INIT
	printf 'console=ttysclp0 quiet panic=-1' > "$W/parm"
	run "$SEGEN" create -q -i "$GUEST/vmlinuz" --ramdisk-dir "$root" -p "$W/parm" \
		-k "$W/host.crt" --no-verify -o "$W/dir.img"
	[ "$status" -eq 0 ]
	run "$SEGEN" boot-test "$W/dir.img" --host-key "$W/host.key" \
		--expect "text=$marker" --timeout 120
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	[[ "$output" == *"segen-guest: nodes=$nodes links=2 same=yes text=$marker"* ]]
}
