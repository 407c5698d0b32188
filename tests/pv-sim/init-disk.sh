#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the disk guest (Debian's unmodified kernel): load virtio_blk, write
# PVENF_BYTES of a known pattern (seq output) to /dev/vda, drop the page cache,
# read it back; report as "PVENF key=value" lines, then power off.
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "PVENF prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest 2>/dev/null || echo none)"
# Debian's kernel has virtio_blk as a module, the protected guest kernels built in.
[ -d /sys/bus/virtio/drivers/virtio_blk ] || insmod /lib/pvenf/virtio_blk.ko
i=0
while [ ! -b /dev/vda ] && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
if [ -b /dev/vda ]; then
	echo "PVENF vda=1"
	seq 1 300000 >/tmp/pattern
	bytes=$(wc -c </tmp/pattern)
	echo "PVENF pattern_md5=$(md5sum </tmp/pattern | cut -d' ' -f1) bytes=$bytes"
	dd if=/tmp/pattern of=/dev/vda bs=64k conv=fsync 2>/dev/null
	echo "PVENF write_rc=$?"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo "PVENF readback_md5=$(head -c "$bytes" /dev/vda | md5sum | cut -d' ' -f1)"
else
	echo "PVENF vda=0"
fi
echo "PVENF refusals=$(dmesg | grep -c 'device must provide VIRTIO_F_ACCESS_PLATFORM')"
echo "PVENF done"
poweroff -f
