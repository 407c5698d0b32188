#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make mutation: put one small deliberate bug at a time into a copy of the
tree, build it, run the fast suites fail-fast and count who notices.

  mutate.py [--list FILE] [--only ID,...] [--module M[,M...]]
            [--resume [--retry-survivors]] [--timeout S] [--jobs N] [--fresh]
  mutate.py --check
  mutate.py --report [--markdown | --update-doc docs/testing.md] [--module M,...]

The list (mutants.txt) has one mutant per line:

  ID @@ FILE @@ ORIGINAL TEXT @@ REPLACEMENT [@@ equivalent: REASON]

ORIGINAL TEXT must occur exactly once in FILE. A mutant is
  killed      a fast suite failed (or the build refused the mutant: "build"),
  timeout     a suite ran past the mutant's time limit (a hang: counts as killed),
  survived    every suite passed: a missing test,
  equivalent  it survived and the list says why no test can tell it apart,
              or the compiler produced the very same object (stale-binary
              check: the object is compared before and after).

Every result is appended to a results file (build/mutation/results.jsonl), so
a campaign can run in pieces: --resume skips the mutants that already have a
result for the same mutant text and the same source file. The summary (per module and in total
killed/survived/equivalent and mutation_score=KILLED/(KILLED+SURVIVED)) covers
this run, or with --resume/--report the latest result of every selected
mutant in the results file. Not part of make test (docs/testing.md).
"""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_RESULTS = os.path.join(ROOT, "build", "mutation", "results.jsonl")
DEFAULT_SCRATCH = os.path.join(ROOT, "build", "mutation", "tree")
# A mutant's suites together may take this long (seconds) before it counts as hung.
DEFAULT_TIMEOUT = 900
# The unmutated tree must pass its suites within this much.
BASELINE_TIMEOUT = 3600


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

    @property
    def key(self):
        """What a stored result is valid for: the mutant's own text."""
        return hashlib.sha256("\0".join((self.file, self.old, self.new)).encode()).hexdigest()[:16]


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
    if path.startswith("swiotlb/"):
        return os.path.join(build, "swiotlb", "obj", path[len("swiotlb/"):-2] + ".o")
    return os.path.join(build, "obj", path[:-2] + ".o")


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def same_content(a, b):
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
    except OSError:
        return False
    return digest(a) == digest(b)


def sync_tree(dst):
    """Make @dst a clean copy of the tracked (and new, not ignored) files of
    the tree. Only files whose content differs are copied, with a new mtime,
    so make rebuilds what changed (also a file a killed run left mutated);
    files the tree no longer has are removed. dst/build is kept."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout.split(b"\0")
    wanted = set()
    copied = 0
    for rel in files:
        if not rel:
            continue
        rel = rel.decode()
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):
            continue
        wanted.add(rel)
        out = os.path.join(dst, rel)
        if os.path.islink(src) or not same_content(src, out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if os.path.lexists(out):
                os.unlink(out)
            shutil.copy2(src, out, follow_symlinks=False)
            if not os.path.islink(out):
                os.utime(out)
            copied += 1
    for top, dirs, names in os.walk(dst):
        rel_top = os.path.relpath(top, dst)
        if rel_top == ".":
            dirs[:] = [d for d in dirs if d != "build"]
        for name in names:
            rel = os.path.normpath(os.path.join(rel_top, name))
            if rel not in wanted:
                os.unlink(os.path.join(top, name))
    return copied


def default_signals():
    """Suites start with default signal handling, even when the campaign runs
    under nohup: test_reliab_base checks that SIGHUP still ends a process."""
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


class SuiteTimeout(Exception):
    pass


class Runner:
    def __init__(self, tree, cache, jobs, log):
        self.tree = tree
        self.cache = cache
        self.jobs = jobs
        self.log = log
        self.deadline = None

    def run(self, cmd, env=None):
        """Run @cmd in its own process group; past the deadline the whole
        group (make, bats, segen, QEMU) is stopped and SuiteTimeout raised."""
        with open(self.log, "a") as log:
            log.write(f"\n$ {' '.join(cmd)}\n")
            log.flush()
            p = subprocess.Popen(cmd, cwd=self.tree, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 preexec_fn=default_signals)
            try:
                left = None if self.deadline is None else max(self.deadline - time.monotonic(), 1)
                return p.wait(timeout=left)
            except subprocess.TimeoutExpired:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.killpg(p.pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        p.wait(timeout=10)
                        break
                    except subprocess.TimeoutExpired:
                        continue
                log.write("timeout: stopped\n")
                raise SuiteTimeout()

    def make(self, *targets):
        return self.run(["nice", "make", "--no-print-directory", f"-j{self.jobs}", "NO_DEPS=1",
                         f"CACHE_DIR={self.cache}", *targets])

    def build(self):
        saved, self.deadline = self.deadline, None
        try:
            return self.make("mutation-build") == 0
        finally:
            self.deadline = saved

    def env(self):
        b = os.path.join(self.tree, "build")
        return dict(os.environ, VECTORS_DIR=os.path.join(self.tree, "tests", "vectors"),
                    CACHE_DIR=self.cache, SEGEN=os.path.join(b, "segen"), BUILD_DIR=b,
                    STUB_STAGE_A_BIN=os.path.join(b, "stub", "stage-a.bin"),
                    STUB_STAGE_B_BIN=os.path.join(b, "stub", "stage-b.bin"),
                    STUB_REAL_KERNEL=os.path.join(self.cache, "guest", "vmlinuz"),
                    STUB_REAL_BUSYBOX=os.path.join(self.cache, "guest", "busybox"),
                    SWIOTLB_REPLAY=os.path.join(b, "swiotlb-replay"))

    def run_tests_in(self, subdir, first=(), last=()):
        """Each test_* binary of build/@subdir on its own, the quick and
        pointed ones first: fail fast. The name of the first that fails."""
        d = os.path.join(self.tree, "build", subdir)
        names = [n for n in os.listdir(d) if n.startswith("test_")
                 and not n.endswith((".o", ".d"))] if os.path.isdir(d) else []
        names.sort(key=lambda n: (n not in first, n in last, n))
        if not names:
            return f"{subdir}: no tests built"
        for name in names:
            try:
                rc = self.run(["nice", os.path.join(d, name)], env=self.env())
            except SuiteTimeout:
                raise SuiteTimeout(name)
            if rc != 0:
                return name
        return None

    def run_swiotlb(self):
        failed = self.run_tests_in(os.path.join("swiotlb", "tests"), first=("test_pool",))
        if failed:
            return failed
        try:
            rc = self.run(["nice", "bats", "--tap", "swiotlb/tests"], env=self.env())
        except SuiteTimeout:
            raise SuiteTimeout("swiotlb-replay")
        return "swiotlb-replay" if rc else None

    def suites(self, module):
        """The fast suites, the one most likely to fail first; the first
        failure wins. Raises SuiteTimeout(name) past the deadline."""
        if module == "swiotlb":
            # libswiotlb is linked by its own tests only.
            return self.run_swiotlb()
        order = ["unit", "cli-test", "oracle-test", "stub-test"]
        if module == "stub":
            order = ["stub-test", "unit", "cli-test"]
        elif module == "crypto":
            # Digest and tweak bugs that create and verify share: the oracle sees them.
            order = ["oracle-test", "unit", "cli-test", "stub-test"]
        elif module == "cli":
            # The option rules are asserted by the CLI suite; the unit tests rarely see them.
            order = ["cli-test", "unit", "oracle-test", "stub-test"]
        for target in order:
            if target == "unit":
                failed = self.run_tests_in("tests", UNIT_FIRST, UNIT_LAST)
            else:
                try:
                    failed = target if self.make(target) != 0 else None
                except SuiteTimeout:
                    raise SuiteTimeout(target)
            if failed:
                return failed
        return None


# Unit tests that reach most rules quickly run first; the bit-flip sweep last.
UNIT_FIRST = ("test_reseal", "test_limits", "test_kat")
UNIT_LAST = ("test_uv",)

KILLED = ("killed", "timeout")
DOC_BEGIN = "<!-- mutation-report: generated by mutate.py --report --update-doc -->"
DOC_END = "<!-- end of mutation-report -->"


def load_results(path):
    """The latest stored result per mutant id, and the baseline records."""
    latest, baselines = {}, []
    if not os.path.exists(path):
        return latest, baselines
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a stopped run
            if r.get("baseline"):
                baselines.append(r)
            else:
                latest[r["id"]] = r
    return latest, baselines


def source_digest(path):
    d = digest(path)
    return d[:16] if d else None


def still_valid(m, record):
    """A stored result counts for @m if the mutant's text is the same and
    the file it mutates has not changed since (records from before the
    source digest was kept count on the text alone)."""
    if not record or record.get("key") != m.key:
        return False
    src = record.get("src")
    return src is None or src == source_digest(os.path.join(ROOT, m.file))


def append_result(path, record):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def summarize(mutants, results, markdown, baselines):
    """results: id -> record (for the mutants that have one)."""
    have = [(m, results[m.id]) for m in mutants if m.id in results]
    # A survivor listed as equivalent since it ran is what a new run would call it.
    have = [(m, dict(r, outcome="equivalent", why=m.equivalent)
             if r["outcome"] == "survived" and m.equivalent else r) for m, r in have]
    missing = [m for m in mutants if m.id not in results]
    modules = []
    for m in mutants:
        if m.module not in modules:
            modules.append(m.module)
    rows = []
    tk = ts = te = tt = 0
    for mod in modules:
        outs = [r["outcome"] for m, r in have if m.module == mod]
        k = sum(1 for o in outs if o in KILLED)
        t = sum(1 for o in outs if o == "timeout")
        s = outs.count("survived")
        e = outs.count("equivalent")
        n = sum(1 for m in missing if m.module == mod)
        tk, ts, te, tt = tk + k, ts + s, te + e, tt + t
        rows.append((mod, k, t, s, e, n))
    seconds = sum(r.get("seconds", 0) for _, r in have)

    def score(k, s):
        return f"{100 * k / (k + s):.1f}%" if k + s else "-"

    if markdown is not None:
        out = markdown.append
        out("| module | mutants | killed | of them timeout | survived | equivalent | score |")
        out("|---|---|---|---|---|---|---|")
        for mod, k, t, s, e, n in rows:
            extra = f" ({n} not run)" if n else ""
            out(f"| {mod} | {k + s + e + n} | {k} | {t} | {s} | {e} | {score(k, s)}{extra} |")
        out(f"| total | {len(mutants)} | {tk} | {tt} | {ts} | {te} | {score(tk, ts)} |")
        out("")
        out(f"`mutation_score={tk}/{tk + ts}`, {len(missing)} not run.")
        out("")
        surv = [(m, r) for m, r in have if r["outcome"] == "survived"]
        if surv:
            out("Survivors (no test tells them apart yet):")
            out("")
            for m, r in surv:
                def flat(t):
                    return t.replace("\n", "\\n").replace("\t", "\\t")
                out(f"- `{m.id}` ({m.file}: `{flat(m.old)}` to `{flat(m.new)}`)")
            out("")
        equiv = [(m, r) for m, r in have if r["outcome"] == "equivalent"]
        if equiv:
            out("Equivalent mutants, with the reason no test can tell them apart (from "
                "`mutants.txt`, or the compiler's own verdict):")
            out("")
            out("| mutant | module | why |")
            out("|---|---|---|")
            for m, r in equiv:
                out(f"| `{m.id}` | {m.module} | {r['why'].replace('|', '&#124;')} |")
            out("")
        slowest = sorted(have, key=lambda mr: -mr[1].get("seconds", 0))[:3]
        base = max((b.get("seconds", 0) for b in baselines), default=0)
        per = {}
        for m, r in have:
            per.setdefault(m.module, 0)
            per[m.module] += r.get("seconds", 0)
        out(f"Time: the {len(have)} mutants took {seconds / 60:.0f} minutes together "
            f"({', '.join(f'{mod} {sec / 60:.0f} min' for mod, sec in per.items())}); each "
            f"invocation first builds the tree and runs its suites once unmutated (at most "
            f"{base:.0f} s here). Slowest: "
            + ", ".join(f"`{m.id}` {r.get('seconds', 0):.0f} s" for m, r in slowest) + ".")
        if missing:
            out("")
            out(f"Not run: {', '.join(m.id for m in missing)}.")
        return
    print("#\n# module    killed (timeout) survived equivalent not-run  score")
    for mod, k, t, s, e, n in rows:
        print(f"# {mod:9} {k:6} {t:9} {s:8} {e:10} {n:7}  {score(k, s)}")
    print(f"# total     {tk:6} {tt:9} {ts:8} {te:10} {len(missing):7}  {score(tk, ts)}")
    for m, r in have:
        if r["outcome"] == "survived":
            print(f"# survived: {m.id} ({m.file}:{m.old!r} -> {m.new!r})")
    print(f"killed={tk} survived={ts} equivalent={te}")
    print(f"mutation_score={tk}/{tk + ts}" + (f" ({100 * tk / (tk + ts):.1f}%)" if tk + ts else ""))
    print(f"# {seconds:.0f} s of mutant runs")


def run_mutant(r, m, tree, timeout):
    """Apply @m to the scratch tree, build, run; (outcome, why). None: bail out."""
    path = os.path.join(tree, m.file)
    with open(path) as f:
        orig = f.read()
    obj = object_of(os.path.join(tree, "build"), m.file)
    before = digest(obj)
    with open(path, "w") as f:
        f.write(orig.replace(m.old, m.new, 1))
    try:
        if not r.build():
            # Only the mutant may break the build: the unmutated tree must still build.
            with open(path, "w") as f:
                f.write(orig)
            if not r.build():
                return None
            return "killed", "build"
        if m.file.endswith(".c") and digest(obj) in (before, None):
            return "equivalent", ("identical object" if digest(obj)
                                  else f"no object {obj}: check the path")
        r.deadline = time.monotonic() + timeout
        try:
            failed = r.suites(m.module)
        except SuiteTimeout as t:
            return "timeout", f"{t.args[0] if t.args else 'suite'} still running after {timeout} s"
        finally:
            r.deadline = None
        if failed:
            return "killed", failed
        if m.equivalent:
            return "equivalent", m.equivalent
        return "survived", "every fast suite passed"
    finally:
        with open(path, "w") as f:
            f.write(orig)
        os.utime(path)  # newer than the mutated object: the next build redoes it


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.txt"))
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--module", help="comma-separated modules (cli, create, stub, swiotlb, ...)")
    ap.add_argument("--resume", action="store_true",
                    help="skip mutants with a result for the same text in the results file")
    ap.add_argument("--retry-survivors", action="store_true",
                    help="with --resume: run the survivors again (after adding tests)")
    ap.add_argument("--results", default=DEFAULT_RESULTS, help="results file (JSON lines)")
    ap.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                    help="seconds a mutant's suites may take together before it counts as hung")
    ap.add_argument("--report", action="store_true",
                    help="only print the summary of the results file")
    ap.add_argument("--markdown", action="store_true", help="with --report: a markdown table")
    ap.add_argument("--update-doc", metavar="FILE",
                    help="with --report: put the markdown table into FILE between the "
                    "mutation-report markers")
    ap.add_argument("--scratch", default=DEFAULT_SCRATCH, help="the scratch copy of the tree")
    ap.add_argument("--fresh", action="store_true", help="rebuild the scratch copy from nothing")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="only check that every mutant applies")
    ap.add_argument("--cache", default=os.environ.get("CACHE_DIR", os.path.join(ROOT, ".cache")))
    a = ap.parse_args()

    mutants = read_list(a.list)
    if a.only:
        want = set(a.only.split(","))
        unknown = want - {m.id for m in mutants}
        if unknown:
            raise SystemExit(f"no such mutant: {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m.id in want]
    if a.module:
        # In the order given: the weakest modules first.
        order = a.module.split(",")
        mutants = sorted((m for m in mutants if m.module in order),
                         key=lambda m: order.index(m.module))
    if a.report:
        latest, baselines = load_results(a.results)
        valid = {m.id: latest[m.id] for m in mutants if still_valid(m, latest.get(m.id))}
        text = [] if a.markdown or a.update_doc else None
        summarize(mutants, valid, text, baselines)
        if text is None:
            return 0
        if not a.update_doc:
            print("\n".join(text))
            return 0
        with open(a.update_doc) as f:
            doc = f.read()
        if DOC_BEGIN not in doc or DOC_END not in doc:
            raise SystemExit(f"{a.update_doc}: no {DOC_BEGIN} ... {DOC_END} block")
        head, rest = doc.split(DOC_BEGIN, 1)
        tail = rest.split(DOC_END, 1)[1]
        with open(a.update_doc + ".tmp", "w") as f:
            f.write(head + DOC_BEGIN + "\n" + "\n".join(text) + "\n" + DOC_END + tail)
        os.replace(a.update_doc + ".tmp", a.update_doc)
        return 0
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

    latest, baselines = load_results(a.results)
    todo = mutants
    # Survivors to run again, by the time of the result that is to be replaced.
    retry = {}
    if a.resume:
        if a.retry_survivors:
            retry = {m.id: latest[m.id].get("at") for m in mutants
                     if still_valid(m, latest.get(m.id))
                     and latest[m.id]["outcome"] == "survived"}
        todo = [m for m in mutants if not still_valid(m, latest.get(m.id)) or m.id in retry]
    # Mutants listed as equivalent run every suite: last, so the others report first.
    todo = sorted(todo, key=lambda m: m.equivalent is not None)
    tree = os.path.abspath(a.scratch)
    if a.fresh and os.path.exists(tree):
        shutil.rmtree(tree)
    os.makedirs(tree, exist_ok=True)
    log = tree.rstrip("/") + ".log"
    open(log, "w").close()
    copied = sync_tree(tree)
    r = Runner(tree, a.cache, a.jobs, log)
    start = time.monotonic()
    print(f"# {len(todo)} of {len(mutants)} mutants to run; scratch tree {tree} "
          f"({copied} files refreshed); log {log}; results {a.results}", flush=True)
    if not todo:
        summarize(mutants, {m.id: latest[m.id] for m in mutants
                            if still_valid(m, latest.get(m.id))}, None, baselines)
        return 0
    modules = sorted({m.module for m in todo})
    # Every genimage and stub module runs the same suites (in another order).
    groups = sorted({"swiotlb" if mod == "swiotlb" else "genimage" for mod in modules})
    ok = r.build()
    r.deadline = time.monotonic() + BASELINE_TIMEOUT
    try:
        ok = ok and all(r.suites(g) is None for g in groups)
    except SuiteTimeout:
        ok = False
    r.deadline = None
    if not ok:
        print(f"Bail out! the unmutated tree does not build or pass its suites (see {log})")
        return 1
    base_s = time.monotonic() - start
    append_result(a.results, {"baseline": True, "modules": modules, "seconds": round(base_s)})
    print(f"# baseline built and passed ({', '.join(modules)}) in {base_s:.0f} s", flush=True)

    results = {}
    for m in todo:
        if a.resume:
            # Another piece of the campaign (a second scratch tree) may have run it.
            cur = load_results(a.results)[0].get(m.id)
            if still_valid(m, cur) and not (m.id in retry and cur.get("at") == retry[m.id]):
                continue
        t0 = time.monotonic()
        res = run_mutant(r, m, tree, a.timeout)
        if res is None:
            print(f"Bail out! the unmutated tree no longer builds (disk full?), see {log}")
            return 1
        outcome, why = res
        rec = {"id": m.id, "module": m.module, "file": m.file, "key": m.key,
               "src": source_digest(os.path.join(tree, m.file)),
               "outcome": outcome, "why": why, "seconds": round(time.monotonic() - t0),
               "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        append_result(a.results, rec)
        results[m.id] = rec
        note = " (listed as equivalent!)" if m.equivalent and outcome in KILLED else ""
        print(f"{outcome:10} {m.module:8} {m.id:24} {why}{note} [{rec['seconds']} s]",
              flush=True)

    if a.resume:
        latest, baselines = load_results(a.results)
        results = {m.id: latest[m.id] for m in mutants if still_valid(m, latest.get(m.id))}
        summarize(mutants, results, None, baselines)
    else:
        summarize(todo, results, None, baselines)
    print(f"# {time.monotonic() - start:.0f} s in this run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
