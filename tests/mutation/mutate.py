#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make mutation: put one small deliberate bug at a time into a copy of the
tree, build it, run the fast suites fail-fast and count who notices.

  mutate.py [--list tests/mutation/mutants.txt] [--only ID,...] [--module M]
            [--keep] [--jobs N]

The list (mutants.txt) has one mutant per line:

  ID @@ FILE @@ ORIGINAL TEXT @@ REPLACEMENT [@@ equivalent: REASON]

ORIGINAL TEXT must occur exactly once in FILE. A mutant is
  killed      a fast suite failed (or the build refused the mutant: "build"),
  survived    every suite passed: a missing test,
  equivalent  it survived and the list says why no test can tell it apart,
              or the compiler produced the very same object (stale-binary
              check: the object is compared before and after).
Per module and in total it prints killed/survived/equivalent and
  mutation_score=KILLED/(KILLED+SURVIVED)
Not part of make test: it takes a while (docs/testing.md).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SUITE_TIMEOUT = 900


class Mutant:
    def __init__(self, line, lineno):
        parts = [p.strip() for p in line.split("@@")]
        if len(parts) not in (4, 5):
            raise SystemExit(f"mutants.txt:{lineno}: expected 4 or 5 fields, got {len(parts)}")
        self.id, self.file, self.old, self.new = parts[:4]
        # \n and \t stand for a newline and a tab, so a mutant can span lines.
        self.old = self.old.replace("\\n", "\n").replace("\\t", "\t")
        self.new = self.new.replace("\\n", "\n").replace("\\t", "\t")
        self.equivalent = None
        if len(parts) == 5:
            if not parts[4].startswith("equivalent:"):
                raise SystemExit(f"mutants.txt:{lineno}: 5th field must be 'equivalent: why'")
            self.equivalent = parts[4][len("equivalent:"):].strip()
        self.lineno = lineno

    @property
    def module(self):
        d = self.file.split("/")
        if d[0] == "genimage":
            return d[2]  # cli, create, pki, format, crypto, inspect, base
        return d[0]  # stub, swiotlb


def read_list(path):
    mutants = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            mutants.append(Mutant(line, n))
    ids = [m.id for m in mutants]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate mutant ids: {', '.join(sorted(dup))}")
    return mutants


def object_of(build, path):
    """The object a source file compiles to (stale-binary check)."""
    if path.startswith("stub/"):
        return os.path.join(build, "stub", "obj", path[len("stub/"):-2] + ".o")
    return os.path.join(build, "obj", path[:-2] + ".o")


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def copy_tree(dst):
    """A clean copy of the tracked (and new, not ignored) files of the tree."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout.split(b"\0")
    for rel in files:
        if not rel:
            continue
        rel = rel.decode()
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, rel), follow_symlinks=False)


class Runner:
    def __init__(self, tree, cache, jobs, log):
        self.tree = tree
        self.cache = cache
        self.jobs = jobs
        self.log = log

    def make(self, *targets):
        cmd = ["nice", "make", "--no-print-directory", f"-j{self.jobs}", "NO_DEPS=1",
               f"CACHE_DIR={self.cache}", *targets]
        with open(self.log, "a") as log:
            log.write(f"\n$ {' '.join(cmd)}\n")
            log.flush()
            try:
                r = subprocess.run(cmd, cwd=self.tree, stdout=log, stderr=subprocess.STDOUT,
                                   timeout=SUITE_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.write("timeout\n")
                return "timeout"
        return r.returncode

    def build(self):
        return self.make("mutation-build") == 0

    def run_unit_tests(self):
        """Each unit test on its own, the quick and pointed ones first: fail fast."""
        build = os.path.join(self.tree, "build", "tests")
        names = sorted(os.listdir(build))
        names.sort(key=lambda n: (n not in UNIT_FIRST, n in UNIT_LAST, n))
        env = dict(os.environ, VECTORS_DIR=os.path.join(self.tree, "tests", "vectors"),
                   CACHE_DIR=self.cache, SEGEN=os.path.join(self.tree, "build", "segen"),
                   BUILD_DIR=os.path.join(self.tree, "build"),
                   STUB_STAGE_A_BIN=os.path.join(self.tree, "build", "stub", "stage-a.bin"),
                   STUB_STAGE_B_BIN=os.path.join(self.tree, "build", "stub", "stage-b.bin"),
                   STUB_REAL_KERNEL=os.path.join(self.cache, "guest", "vmlinuz"),
                   STUB_REAL_BUSYBOX=os.path.join(self.cache, "guest", "busybox"))
        for name in names:
            with open(self.log, "a") as log:
                log.write(f"\n$ {name}\n")
                log.flush()
                try:
                    r = subprocess.run(["nice", os.path.join(build, name)], cwd=self.tree,
                                       env=env, stdout=log, stderr=subprocess.STDOUT,
                                       timeout=SUITE_TIMEOUT)
                except subprocess.TimeoutExpired:
                    return f"{name} (timeout)"
            if r.returncode != 0:
                return name
        return None

    def suites(self, module):
        """The fast suites, the one most likely to fail first; the first failure wins."""
        order = ["unit", "cli-test", "oracle-test", "stub-test"]
        if module in ("stub", "swiotlb"):
            order = ["stub-test", "unit", "cli-test"]
        for target in order:
            failed = self.run_unit_tests() if target == "unit" else None
            if target != "unit" and self.make(target) != 0:
                failed = target
            if failed:
                return failed
        return None


# Unit tests that reach most rules quickly run first; the bit-flip sweep last.
UNIT_FIRST = ("test_reseal", "test_limits", "test_kat")
UNIT_LAST = ("test_uv",)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.txt"))
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--module")
    ap.add_argument("--keep", action="store_true", help="keep the scratch tree")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="only check that every mutant applies")
    ap.add_argument("--cache", default=os.environ.get("CACHE_DIR", os.path.join(ROOT, ".cache")))
    a = ap.parse_args()

    mutants = read_list(a.list)
    if a.only:
        want = set(a.only.split(","))
        mutants = [m for m in mutants if m.id in want]
    if a.module:
        mutants = [m for m in mutants if m.module == a.module]
    bad = []
    for m in mutants:
        with open(os.path.join(ROOT, m.file)) as f:
            n = f.read().count(m.old)
        if n != 1:
            bad.append(f"mutant {m.id}: {m.old!r} occurs {n} times in {m.file}")
    if bad:
        raise SystemExit("\n".join(bad))

    if a.check:
        print(f"{len(mutants)} mutants apply")
        return 0
    scratch = tempfile.mkdtemp(prefix="segen-mutation-")
    tree = os.path.join(scratch, "tree")
    log = os.path.join(scratch, "log")
    os.makedirs(tree)
    copy_tree(tree)
    r = Runner(tree, a.cache, a.jobs, log)
    start = time.monotonic()
    print(f"# {len(mutants)} mutants; scratch tree {tree}; log {log}", flush=True)
    if not r.build() or r.suites("baseline") is not None:
        print(f"Bail out! the unmutated tree does not build or pass its suites (see {log})")
        return 1
    print(f"# baseline built and passed in {time.monotonic() - start:.0f} s", flush=True)

    results = []
    for m in mutants:
        t0 = time.monotonic()
        path = os.path.join(tree, m.file)
        with open(path) as f:
            orig = f.read()
        obj = object_of(os.path.join(tree, "build"), m.file)
        before = digest(obj)
        with open(path, "w") as f:
            f.write(orig.replace(m.old, m.new, 1))
        try:
            if not r.build():
                outcome, why = "killed", "build"
                # Only the mutant may break the build: the unmutated tree must still build.
                with open(path, "w") as f:
                    f.write(orig)
                if not r.build():
                    print(f"Bail out! the unmutated tree no longer builds (disk full?), see {log}")
                    return 1
            elif m.file.endswith(".c") and digest(obj) in (before, None):
                outcome = "equivalent"
                why = "identical object" if digest(obj) else f"no object {obj}: check the path"
            else:
                failed = r.suites(m.module)
                if failed:
                    outcome, why = "killed", failed
                elif m.equivalent:
                    outcome, why = "equivalent", m.equivalent
                else:
                    outcome, why = "survived", "every fast suite passed"
        finally:
            with open(path, "w") as f:
                f.write(orig)
            os.utime(path)  # newer than the mutated object: the next build redoes it
        results.append((m, outcome, why))
        note = " (listed as equivalent!)" if m.equivalent and outcome == "killed" else ""
        print(f"{outcome:10} {m.module:8} {m.id:24} {why}{note} [{time.monotonic() - t0:.0f} s]",
              flush=True)

    modules = sorted({m.module for m, _, _ in results})
    tk = ts = te = 0
    print("#\n# module    killed survived equivalent  score")
    for mod in modules:
        k = sum(1 for m, o, _ in results if m.module == mod and o == "killed")
        s = sum(1 for m, o, _ in results if m.module == mod and o == "survived")
        e = sum(1 for m, o, _ in results if m.module == mod and o == "equivalent")
        tk, ts, te = tk + k, ts + s, te + e
        score = f"{100 * k / (k + s):.0f}%" if k + s else "-"
        print(f"# {mod:9} {k:6} {s:8} {e:10}  {score}")
    print(f"# total     {tk:6} {ts:8} {te:10}")
    for m, o, why in results:
        if o == "survived":
            print(f"# survived: {m.id} ({m.file}:{m.old!r} -> {m.new!r})")
    print(f"killed={tk} survived={ts} equivalent={te}")
    print(f"mutation_score={tk}/{tk + ts}" + (f" ({100 * tk / (tk + ts):.1f}%)" if tk + ts else ""))
    print(f"# {time.monotonic() - start:.0f} s")
    if not a.keep:
        shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
