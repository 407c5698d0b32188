#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the selftest guest (the kernel series' kernel with the validator and
# its test trigger): for each case on the kernel command line (pvenf.cases=a,b),
# say "PVENF ready CASE" and wait for a line on the console, so the host can
# read QEMU's counters between cases, then run it through
# s390/pv/io_selftest and report the validator's count for it.
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug
pv=/sys/kernel/debug/s390/pv
echo "PVENF prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest 2>/dev/null || echo none)"
cases=$(sed -n 's/.*pvenf\.cases=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
for c in $cases end; do
	echo "PVENF ready $c"
	read -r _
	[ "$c" = end ] && break
	name=${c%%:*}
	count=1
	[ "$name" = "$c" ] || count=${c#*:}
	before=$(cat $pv/ccw_violations)
	echo "0.0.0002 $name $count" >$pv/io_selftest
	rc=$?
	after=$(cat $pv/ccw_violations)
	echo "PVENF case=$c rc=$rc kernel=$((after - before)) result=$(cat $pv/io_selftest)"
done
echo "PVENF done"
poweroff -f
