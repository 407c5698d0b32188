# SPDX-License-Identifier: MIT
# The devices the PV simulation QEMU is built with (configure
# --without-default-devices): the s390-ccw-virtio machine and the virtio-ccw
# devices a guest under test uses.
CONFIG_S390_CCW_VIRTIO=y
CONFIG_VIRTIO_PCI=n
CONFIG_TERMINAL3270=n
CONFIG_VFIO_AP=n
CONFIG_VFIO_CCW=n
CONFIG_WDT_DIAG288=n
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_NET=y
