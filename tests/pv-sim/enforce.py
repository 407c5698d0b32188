#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Enforcement of sharing in the PV simulation QEMU (docs/pv-sim.md), as TAP.

Boots real protected guests (segen images, stage-a's secure reboot) under
the pv-sim QEMU and compares what the guest did with what QEMU counted
over QMP (query-pv-sim-violations):

  disk      an unmodified linux-source-6.1 protected guest (build-pv-kernel.sh),
            virtio-blk iommu_platform=on: a pattern written and read back
            intact, on the disk image, zero violations
  refused   the same with iommu_platform=off: the kernel refuses the device
  unaware   Debian's own kernel (built without protected guest support) in
            secure mode shares nothing: QEMU counts every kind of access
  poison    the same in strict mode: its channel programs reach the device
            models as poison and the disk never comes up
  selftest  the kernel series' validator test trigger: per case, QEMU's count
            and the in-guest validator's agree, QEMU logs the planted address
  strict    a private CCW in strict mode: the device model gets poison
  plain     pv-sim=on, guest not in secure mode: no checks, no violations
  off       without pv-sim=on the QMP commands refuse

Environment: PV_SIM_QEMU (the pv-sim qemu-system-s390x), SEGEN, CACHE_DIR
(guest/ with Debian's kernel .deb, vmlinuz and busybox; the kernels built by
kernel-patches/scripts/build-kernel.sh and tests/pv-sim/build-pv-kernel.sh,
cached there), PV_SIM_FIRMWARE_DIR (QEMU's -L, if needed), BOOT_TIMEOUT
(seconds per boot, default 300), PV_SIM_KEEP=1 keeps the work directory."""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
POISON = 0x6C
PATTERN_LINES = 300000
SELFTEST_DEV = "fe.0.0002"
DISK_DEV = "fe.0.0001"
BURST = 30
PLANNED = 28


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {desc}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {desc}")
            for line in str(diag).splitlines()[:12]:
                print(f"#   {line}")
        sys.stdout.flush()
        return cond


class Guest:
    """One QEMU run: console and QMP on unix sockets, stderr to a file."""

    def __init__(self, work, name, args, timeout):
        self.name = name
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.con_path = os.path.join(self.dir, "console.sock")
        self.stderr_path = os.path.join(self.dir, "qemu.stderr")
        self.console = []
        self.deadline = time.monotonic() + timeout
        cmd = [os.environ["PV_SIM_QEMU"], "-nodefaults", "-display", "none", "-no-reboot",
               "-smp", "1", "-m", "512", "-S",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-serial", f"unix:{self.con_path},server=on,wait=off"] + args
        fw = os.environ.get("PV_SIM_FIRMWARE_DIR")
        if fw:
            cmd += ["-L", fw]
        with open(os.path.join(self.dir, "cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.stderr_path, "w"))
        self.qmp_sock = self._connect(self.qmp_path)
        self.qmp_file = self.qmp_sock.makefile("rw")
        self._qmp_reply()
        self.qmp("qmp_capabilities")
        self.con = self._connect(self.con_path)
        self.con.settimeout(1.0)
        self.buf = b""

    def _connect(self, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                sock.connect(path)
                return sock
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > self.deadline:
                    raise RuntimeError(f"{self.name}: QEMU did not start: {self.stderr()}")
                time.sleep(0.1)

    def _qmp_reply(self):
        while True:
            line = self.qmp_file.readline()
            if not line:
                raise RuntimeError(f"{self.name}: QEMU closed QMP: {self.stderr()}")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def qmp(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.qmp_file.write(json.dumps(req) + "\n")
        self.qmp_file.flush()
        return self._qmp_reply()

    def start(self):
        self.qmp("cont")

    def line(self):
        """The next console line, or None when QEMU ended or the time is up."""
        while b"\n" not in self.buf:
            if time.monotonic() > self.deadline:
                return None
            try:
                data = self.con.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data:
                if not self.buf:
                    return None
                self.buf += b"\n"
                break
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        text = line.decode("utf-8", "replace").rstrip("\r")
        self.console.append(text)
        return text

    def send(self, text):
        self.con.sendall(text.encode())

    def violations(self):
        return self.qmp("query-pv-sim-violations").get("return")

    def finish(self):
        while self.line() is not None:
            pass
        try:
            self.proc.wait(timeout=max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(os.path.join(self.dir, "console.log"), "w") as f:
            f.write("\n".join(self.console) + "\n")
        return self.proc.returncode

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def values(self):
        """Every "PVENF key=value" pair the guest printed (the last wins)."""
        vals = {}
        for text in self.console:
            if text.startswith("PVENF "):
                for m in re.finditer(r"(\w+)=(\S*)", text):
                    vals[m.group(1)] = m.group(2)
        return vals

    def tail(self):
        return "\n".join(self.console[-8:]) + "\n" + self.stderr()[-800:]


def device_count(info, device, what=None):
    for d in (info or {}).get("devices", []):
        if d["device"] == device:
            if what is None:
                return d["count"]
            return sum(k["count"] for k in d["accesses"] if k["what"] == what)
    return 0


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Env:
    def __init__(self, work):
        self.work = work
        self.cache = os.environ["CACHE_DIR"]
        self.segen = os.environ["SEGEN"]
        self.timeout = int(os.environ.get("BOOT_TIMEOUT", "300"))
        guest = os.path.join(self.cache, "guest")
        self.vmlinuz = os.path.join(guest, "vmlinuz")
        self.busybox = os.path.join(guest, "busybox")
        self.key = os.path.join(work, "host.key")
        self.crt = os.path.join(work, "host.crt")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:secp521r1", "-nodes", "-keyout", self.key, "-out",
             self.crt, "-subj", "/CN=pv-sim enforcement test host", "-days", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def virtio_blk_module(self):
        debs = os.path.join(self.cache, "guest", "debs")
        deb = [f for f in os.listdir(debs) if f.startswith("linux-image-")][0]
        out = os.path.join(self.work, "modules")
        os.makedirs(out, exist_ok=True)
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", os.path.join(debs, deb)],
                             check=True, stdout=subprocess.PIPE).stdout
        run(["tar", "-x", "-C", out, "--wildcards", "*/virtio_blk.ko"], input=tar)
        for dirpath, _, files in os.walk(out):
            if "virtio_blk.ko" in files:
                return os.path.join(dirpath, "virtio_blk.ko")
        raise RuntimeError("no virtio_blk.ko in " + deb)

    def initrd(self, name, init, modules=()):
        out = os.path.join(self.work, name + ".gz")
        run([os.path.join(HERE, "make-initrd.sh"), self.busybox,
             os.path.join(HERE, init), out] + list(modules))
        return out

    def image(self, name, kernel, initrd, cmdline):
        parm = os.path.join(self.work, name + ".parm")
        with open(parm, "w") as f:
            f.write(cmdline)
        img = os.path.join(self.work, name + ".img")
        run([self.segen, "create", "-q", "-i", kernel, "-r", initrd, "-p", parm, "-k",
             self.crt, "--no-verify", "-o", img], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        return img

    def machine(self, pv_sim=True, strict=False):
        opts = "s390-ccw-virtio"
        if pv_sim:
            opts += f",pv-sim=on,pv-sim-key={self.key}"
        if strict:
            opts += ",pv-sim-strict=on"
        return ["-machine", opts]

    def boot(self, name, image, devices, strict=False, extra=()):
        args = self.machine(strict=strict) + ["-kernel", image] + list(extra) + devices
        return Guest(self.work, name, args, self.timeout)


def disk_args(path, iommu):
    return ["-drive", f"if=none,id=d0,file={path},format=raw,cache=unsafe",
            "-device", f"virtio-blk-ccw,drive=d0,devno={DISK_DEV},"
            f"iommu_platform={'on' if iommu else 'off'}"]


def pattern():
    return "".join(f"{i}\n" for i in range(1, PATTERN_LINES + 1)).encode()


def new_disk(env, name):
    path = os.path.join(env.work, name + ".disk")
    with open(path, "wb") as f:
        f.truncate(16 << 20)
    return path


def disk_guest(env, tap, name, image, iommu, strict=False):
    """Boot the disk guest; returns (guest values, QMP info, disk path, exit)."""
    disk = new_disk(env, name)
    g = env.boot(name, image, disk_args(disk, iommu), strict=strict)
    g.start()
    info = None
    while True:
        text = g.line()
        if text is None:
            break
        if text == "PVENF done":
            info = g.violations()
    rc = g.finish()
    return g, info, disk, rc


def test_disk(env, tap, image):
    g, info, disk, rc = disk_guest(env, tap, "disk", image, iommu=True)
    v = g.values()
    tap.ok(rc == 0 and "done" in " ".join(g.console) and v.get("prot_virt_guest") == "1",
           "disk: the unmodified protected-guest kernel boots (prot_virt_guest=1)", g.tail())
    want = hashlib.md5(pattern()).hexdigest()
    tap.ok(v.get("vda") == "1" and v.get("pattern_md5") == want and
           v.get("readback_md5") == want,
           f"disk: iommu_platform=on, {len(pattern())} bytes written and read back intact",
           json.dumps(v))
    with open(disk, "rb") as f:
        on_disk = f.read(len(pattern()))
    tap.ok(on_disk == pattern(), "disk: the disk image holds the pattern the guest wrote")
    tap.ok(info is not None and info["secure"] and info["total"] == 0,
           "disk: QMP reports secure mode and zero violations", json.dumps(info))


def test_refused(env, tap, image):
    g, info, _, rc = disk_guest(env, tap, "refused", image, iommu=False)
    v = g.values()
    tap.ok(rc == 0 and v.get("vda") == "0" and v.get("refusals") == "1",
           "refused: iommu_platform=off, the kernel refuses the device "
           "(no /dev/vda, 'device must provide VIRTIO_F_ACCESS_PLATFORM')", g.tail())
    tap.ok(info is not None and info["total"] == 0,
           "refused: zero violations while it probes and refuses", json.dumps(info))


DISK_KINDS = ("ccw", "data", "vring desc", "vring avail", "vring used", "virtio buffer")


def test_unaware(env, tap, image):
    g, info, disk, rc = disk_guest(env, tap, "unaware", image, iommu=True)
    v = g.values()
    with open(disk, "rb") as f:
        on_disk = f.read(len(pattern()))
    tap.ok(rc == 0 and v.get("prot_virt_guest") != "1" and on_disk == pattern() and
           v.get("readback_md5") == v.get("pattern_md5"),
           "unaware: Debian's kernel, no protected guest support, in secure mode: "
           "outside strict mode its I/O still works", json.dumps(v) + "\n" + g.tail())
    counts = {w: device_count(info, DISK_DEV, w) for w in DISK_KINDS}
    ind = device_count(info, DISK_DEV, "indicator") + \
        device_count(info, DISK_DEV, "summary indicator")
    tap.ok(all(c > 0 for c in counts.values()) and ind > 0,
           "unaware: QEMU counts violations of every kind the disk uses: "
           + ", ".join(f"{w} {c}" for w, c in counts.items()) + f", indicators {ind}",
           json.dumps(info))
    err = g.stderr()
    tap.ok(all(re.search(rf"pv-sim: {DISK_DEV}: {w} (read|write) at 0x[0-9a-f]+ in a page "
                         "that is not shared$", err, re.M) for w in DISK_KINDS),
           "unaware: QEMU logs each kind with the device and the address", err[-800:])


def test_poison(env, tap, image):
    disk = new_disk(env, "poison")
    g = env.boot("poison", image, disk_args(disk, True), strict=True,
                 extra=["-trace", "virtio_ccw_interpret_ccw"])
    g.start()
    info = None
    while True:
        text = g.line()
        if text is None:
            break
        if text == "PVENF done":
            info = g.violations()
    rc = g.finish()
    err = g.stderr()
    tap.ok(rc == 0 and info is not None and info["strict"] and g.values().get("vda") == "0"
           and re.search(rf"interpret command 0x{POISON:x}\b", err) is not None,
           f"poison: strict mode, the disk's channel programs reach the device model as "
           f"poison (command 0x{POISON:02x}): the device never comes up",
           json.dumps(info) + "\n" + g.tail())
    tap.ok(re.search(rf"pv-sim: {DISK_DEV}: ccw read at 0x[0-9a-f]+ in a page that is not "
                     r"shared \(poisoned\)", err) is not None,
           "poison: QEMU logs the CCW read as poisoned", err[-600:])


def selftest_guest(env, name, image, strict=False):
    g = env.boot(name, image, ["-device", f"virtio-rng-ccw,devno={SELFTEST_DEV},"
                               "iommu_platform=on"], strict=strict,
                 extra=["-trace", "virtio_ccw_interpret_ccw"] if strict else [])
    g.start()
    snaps = {}
    results = {}
    current = None
    while True:
        text = g.line()
        if text is None:
            break
        m = re.match(r"PVENF ready (\S+)", text)
        if m:
            info = g.violations()
            if current is not None:
                snaps[current] = (snaps[current], info)
            current = m.group(1)
            snaps[current] = info
            if current == "end":
                reset = g.qmp("pv-sim-reset-violations")
                results["after_reset"] = g.violations()
                results["reset_reply"] = reset
            g.send("\n")
            continue
        m = re.match(r"PVENF case=(\S+) rc=(-?\d+) kernel=(-?\d+) result=(.*)", text)
        if m:
            results[m.group(1)] = {"rc": int(m.group(2)), "kernel": int(m.group(3)),
                                   "result": m.group(4)}
    results["exit"] = g.finish()
    return g, snaps, results


def delta(snaps, case, what=None):
    before, after = snaps[case]
    return device_count(after, SELFTEST_DEV, what) - device_count(before, SELFTEST_DEV, what)


def status(result, name):
    """dstat or cstat of the trigger's result line as a number (-1 if absent)."""
    m = re.search(rf"{name}=(0x[0-9a-f]+|0+)\b", result)
    return int(m.group(1), 0) if m and m.group(1).startswith("0x") else (0 if m else -1)


def planted(result):
    m = re.search(r"planted=(0x[0-9a-f]+)", result)
    return int(m.group(1), 16) if m else None


def test_selftest(env, tap, image):
    g, snaps, res = selftest_guest(env, "selftest", image)
    ran = all(isinstance(snaps.get(c), tuple) for c in
              ("clean", "ccw-private", "key", "data-private", "idaw-private",
               "tic-private", "dc-private", f"data-private:{BURST}"))
    tap.ok(res["exit"] == 0 and ran and g.values().get("prot_virt_guest") == "1",
           "selftest: the series' kernel boots as a protected guest and runs every case",
           g.tail())
    if not ran:
        return
    r = res["clean"]
    tap.ok(r["rc"] == 0 and r["kernel"] == 0 and delta(snaps, "clean") == 0,
           "selftest: clean program: no violation in the guest, none in QEMU", r)
    err = g.stderr()
    for case, what in (("ccw-private", "ccw"), ("tic-private", "ccw"),
                       ("data-private", "data"), ("idaw-private", "data"),
                       ("key", "orb key")):
        r = res[case]
        q = delta(snaps, case)
        addr = planted(r["result"])
        if case == "key":
            logged = f"pv-sim: {SELFTEST_DEV}: orb key breaks a rule" in err
        else:
            logged = addr is not None and re.search(
                rf"pv-sim: {SELFTEST_DEV}: {what} \w+ at 0x{addr:x} ", err) is not None
        tap.ok(r["kernel"] == 1 and q == 1 and delta(snaps, case, what) == 1 and logged,
               f"selftest: {case}: the validator counts 1, QEMU counts 1 '{what}'"
               + ("" if case == "key" else " and logs the planted address"),
               f"kernel={r['kernel']} qemu={q} result={r['result']}")
    r = res["ccw-private"]
    tap.ok(status(r["result"], "dstat") == 0x0C and status(r["result"], "cstat") == 0,
           "selftest: outside strict mode the private NOOP CCW is read and runs normally",
           r["result"])
    r = res["dc-private"]
    tap.ok(r["kernel"] == 1 and delta(snaps, "dc-private") == 0 and
           status(r["result"], "cstat") == 0x20,
           "selftest: dc-private: the validator counts it; QEMU has no data chaining and "
           "ends the program (program check) before the chained CCW, so sees no access",
           f"kernel={r['kernel']} qemu={delta(snaps, 'dc-private')} {r['result']}")
    r = res[f"data-private:{BURST}"]
    q = delta(snaps, f"data-private:{BURST}")
    tap.ok(r["kernel"] == BURST and q == BURST,
           f"selftest: {BURST} runs in a burst: the validator and QEMU both count {BURST}",
           f"kernel={r['kernel']} qemu={q}")
    total_kernel = sum(v["kernel"] for k, v in res.items()
                       if isinstance(v, dict) and "kernel" in v and k != "dc-private")
    before_end = snaps["end"] if not isinstance(snaps["end"], tuple) else snaps["end"][0]
    tap.ok(device_count(before_end, SELFTEST_DEV) == total_kernel and
           before_end["total"] == total_kernel,
           f"selftest: QMP totals ({before_end['total']}) equal the validator's count "
           f"({total_kernel}, dc-private left out)", json.dumps(before_end))
    after = res.get("after_reset") or {}
    tap.ok("error" not in res.get("reset_reply", {"error": 1}) and after.get("total") == 0
           and after.get("devices") == [],
           "selftest: pv-sim-reset-violations sets every count to zero", json.dumps(after))


def test_strict(env, tap, image):
    g, snaps, res = selftest_guest(env, "strict", image, strict=True)
    r = res.get("ccw-private")
    err = g.stderr()
    tap.ok(r is not None and re.search(rf"interpret command 0x{POISON:x}\b", err) is not None,
           f"strict: the private CCW reaches the device model as the poison "
           f"(command 0x{POISON:02x}), not as the guest's NOOP", err[-800:])
    tap.ok(r is not None and status(r["result"], "dstat") == 0x02,
           "strict: so the guest sees a command reject (unit check) for it",
           r and r["result"])
    tap.ok(f"ccw read at 0x{planted(r['result']) or 0:x} in a page that is not shared "
           "(poisoned)" in err if r else False,
           "strict: QEMU logs the read as poisoned")


def test_plain(env, tap, initrd):
    disk = new_disk(env, "plain")
    args = env.machine() + ["-kernel", env.vmlinuz, "-initrd", initrd,
                            "-append", "console=ttysclp0 quiet"] + disk_args(disk, True)
    g = Guest(env.work, "plain", args, env.timeout)
    g.start()
    info = None
    while True:
        text = g.line()
        if text is None:
            break
        if text == "PVENF done":
            info = g.violations()
    rc = g.finish()
    v = g.values()
    tap.ok(rc == 0 and v.get("readback_md5") == v.get("pattern_md5") and
           v.get("vda") == "1" and info is not None and not info["secure"] and
           info["total"] == 0,
           "plain: pv-sim=on but the guest never enters secure mode (nothing shared, "
           "ordinary I/O): no checks, zero violations", json.dumps(info) + "\n" + g.tail())


def test_off(env, tap):
    g = Guest(env.work, "off", ["-machine", "s390-ccw-virtio"], 60)
    q = g.qmp("query-pv-sim-violations")
    r = g.qmp("pv-sim-reset-violations")
    g.qmp("quit")
    g.finish()
    tap.ok("pv-sim=on" in q.get("error", {}).get("desc", "") and "error" in r,
           "off: without pv-sim=on both QMP commands refuse", json.dumps([q, r]))


def built_kernel(script, below="", env=None):
    """The kernel a cached build script prints the path of (+ below)."""
    proc = subprocess.run([script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, **(env or {})))
    if proc.returncode:
        raise RuntimeError(f"{script} failed: {proc.stderr[-600:]}")
    out = proc.stdout.split()
    img = out[-1] if out else ""
    if below:
        img = os.path.join(img, below)
    if not os.path.isfile(img):
        raise RuntimeError(f"{script} gave no kernel ({img})")
    return img


def main():
    tap = Tap()
    print(f"1..{PLANNED}")
    work = tempfile.mkdtemp(prefix="pv-sim-enforce.")
    try:
        env = Env(work)
        disk_rd = env.initrd("disk", "init-disk.sh", [env.virtio_blk_module()])
        cmdline = "console=ttysclp0 quiet panic=-1"
        pv_kernel = os.environ.get("PV_KERNEL") or \
            built_kernel(os.path.join(HERE, "build-pv-kernel.sh"))
        test_disk(env, tap, env.image("disk", pv_kernel, disk_rd, cmdline))
        test_refused(env, tap, env.image("refused", pv_kernel, disk_rd, cmdline))
        unaware = env.image("unaware", env.vmlinuz, disk_rd, cmdline)
        test_unaware(env, tap, unaware)
        test_poison(env, tap, unaware)
        series = built_kernel(os.path.join(ROOT, "kernel-patches", "scripts",
                                           "build-kernel.sh"), "arch/s390/boot/bzImage",
                              {"KERNEL_SERIES": "6.1"})
        st_rd = env.initrd("selftest", "init-selftest.sh")
        cases = ",".join(["clean", "ccw-private", "key", "data-private", "idaw-private",
                          "tic-private", "dc-private", f"data-private:{BURST}"])
        test_selftest(env, tap, env.image("selftest", series, st_rd,
                                          f"console=ttysclp0 quiet pvenf.cases={cases}"))
        test_strict(env, tap, env.image("strict", series, st_rd,
                                        "console=ttysclp0 quiet pvenf.cases=ccw-private"))
        test_plain(env, tap, disk_rd)
        test_off(env, tap)
    except (RuntimeError, subprocess.CalledProcessError, OSError, KeyError) as err:
        tap.ok(False, "the enforcement tests ran to the end", f"{err!r}: {err}")
    finally:
        if os.environ.get("PV_SIM_KEEP"):
            print(f"# kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    while tap.n < PLANNED:
        tap.ok(False, "not run")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
