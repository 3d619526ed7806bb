#!/usr/bin/env python3
"""Bad inputs and faults against the three binaries (wildtype_align, water, faidx).

Every case runs a binary the way a careless or hostile user would and checks, besides the
case's own expectation, the rules every run must keep:

- no panic (a Rust panic message on stderr) and no abort (killed by a signal it did not ask
  for, or exit 134);
- nothing silently wrong: bad input ends in an error or a warning, never in exit 0 and silence;
- none of the user's files lost or changed (every file a case puts in place is checked after
  the run), and no temporary `.*.partial-*` file left after the run ends;
- no control byte in a table.

    python3 tests/campaign/campaign.py [--bin DIR] [--keep] [--only NAME,...]

DIR holds the built examples (default: target/release/examples, else target/debug/examples);
`.ci/run` builds them with the test profile. Prints one table row per case and a summary, and
exits 1 when any case fails.
"""

import argparse
import gzip
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "wildtype"
REFERENCES = DATA / "references.faa"
TARGETS = DATA / "targets_proteins.fasta"
TIMEOUT = 120

# ---------------------------------------------------------------------------------------------
# Fixtures


def read_fasta(path):
    records, name, seq = [], None, []
    for line in Path(path).read_text().splitlines():
        if line.startswith(">"):
            if name is not None:
                records.append((name, "".join(seq)))
            name, seq = line[1:], []
        else:
            seq.append(line.strip())
    if name is not None:
        records.append((name, "".join(seq)))
    return records


REF = dict((h.split()[0], s) for h, s in read_fasta(REFERENCES))
TARGET_RECORDS = read_fasta(TARGETS)


def fasta(records):
    return "".join(f">{h}\n{s}\n" for h, s in records)


def header(accession, gene, length=286):
    return f"{accession}|{gene}|1-{length * 3}|+|contig_1|0"


class Rng:
    """xorshift64*, so a failing case reproduces."""

    def __init__(self, seed):
        self.state = seed or 1

    def next(self):
        x = self.state
        x ^= (x >> 12) & 0xFFFFFFFFFFFFFFFF
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= (x >> 27) & 0xFFFFFFFFFFFFFFFF
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return self.next() % n

    def protein(self, n):
        return "".join("ACDEFGHIKLMNPQRSTVWY"[self.below(20)] for _ in range(n))


def many_targets(count, seed=7):
    """`count` TEM/CTX-M/OXA variants with a few substitutions each."""
    rng = Rng(seed)
    genes = list(REF)
    out = []
    for i in range(count):
        gene = genes[i % len(genes)]
        seq = list(REF[gene].rstrip("*"))
        for _ in range(rng.below(4)):
            at = 10 + rng.below(len(seq) - 20)
            seq[at] = "ACDEFGHIKLMNPQRSTVWY"[rng.below(20)]
        out.append((header(f"BIG{i:07d}", gene, len(seq)), "".join(seq)))
    return out


# ---------------------------------------------------------------------------------------------
# Running a case


class Run:
    def __init__(self, argv, returncode, stdout, stderr, seconds):
        self.argv, self.returncode, self.stdout, self.stderr = argv, returncode, stdout, stderr
        self.seconds = seconds

    @property
    def err(self):
        return self.stderr.decode("utf-8", "replace")


class Case:
    """Scratch directory, the user's files in it, and the runs made."""

    def __init__(self, name, root, bins):
        self.name = name
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.bins = bins
        self.user_files = {}
        self.runs = []
        self.signalled = False
        self.notes = []

    def user(self, relative, content):
        """A file of the user's: it must be there, unchanged, after every run."""
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode()
        path.write_bytes(data)
        self.user_files[path] = hashlib.sha256(data).hexdigest()
        return path

    def path(self, relative):
        return self.dir / relative

    def run(self, binary, *args, stdin=None, env=None, timeout=TIMEOUT):
        """Runs to the end (killed after `timeout` s); records exit code, output and peak RSS."""
        argv, full_env = self.command(binary, args, env)
        started = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                     stdout=out, stderr=err, env=full_env, cwd=self.dir)
            if stdin is not None:
                try:
                    child.stdin.write(stdin)
                except BrokenPipeError:
                    pass
                child.stdin.close()
            timer = threading.Timer(timeout, child.kill)
            timer.start()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            timed_out = not timer.is_alive()
            timer.cancel()
            out.seek(0)
            err.seek(0)
            run = Run(argv, "timeout" if timed_out else child.returncode, out.read(), err.read(),
                      time.monotonic() - started)
        run.max_rss_kib = usage.ru_maxrss
        self.runs.append(run)
        return run

    def command(self, binary, args, env):
        """The argument vector and environment of a run (a forced kernel never leaks in)."""
        argv = [str(self.bins[binary])] + [str(a) for a in args]
        full_env = dict(os.environ)
        full_env.pop("WTA_KERNEL", None)
        full_env.update(env or {})
        return argv, full_env

    def spawn(self, binary, *args, env=None):
        """Starts a run in the background, for signals and concurrent runs."""
        argv, full_env = self.command(binary, args, env)
        return subprocess.Popen(
            argv, cwd=self.dir, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def pipeline(self, *args, **kw):
        return self.run("wildtype_align", *args, **kw)


def partial_files(directory):
    return [p for p in Path(directory).rglob(".*.partial*")]


def control_bytes_in_tables(directory):
    bad = []
    for table in Path(directory).rglob("*.tsv"):
        if not table.is_file():
            continue
        data = table.read_bytes()
        if re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", data):
            bad.append(table.name)
    return bad


def general_checks(case):
    """The rules every case keeps. Returns (category, reason) or None."""
    for run in case.runs:
        if "panicked" in run.err:
            return "panic", f"panic: {run.err.strip()[:200]}"
        if run.returncode == "timeout":
            return "fail", "timed out"
        if not case.signalled and (run.returncode in (134, 139) or run.returncode < 0):
            if run.returncode != -signal.SIGPIPE:
                return "abort", f"killed/aborted: {run.returncode}"
    for path, digest in case.user_files.items():
        if not path.is_file():
            return "lost", f"user file {path.relative_to(case.dir)} is gone"
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return "lost", f"user file {path.relative_to(case.dir)} changed"
    leftovers = partial_files(case.dir)
    if leftovers:
        return "fail", "temporary files left: " + ", ".join(p.name for p in leftovers[:3])
    bad = control_bytes_in_tables(case.dir)
    if bad:
        return "silent", "control bytes in " + ", ".join(bad)
    return None


# ---------------------------------------------------------------------------------------------
# Expectations


class Expect(Exception):
    def __init__(self, category, reason):
        super().__init__(reason)
        self.category, self.reason = category, reason


def expect_code(run, codes, what=""):
    codes = codes if isinstance(codes, (tuple, list, set)) else (codes,)
    if run.returncode not in codes:
        category = "silent" if run.returncode == 0 else "fail"
        raise Expect(category, f"exit {run.returncode}, expected {codes} {what}: {run.err.strip()[:300]}")


def expect_err(run, pattern, what=""):
    if not re.search(pattern, run.err, re.I | re.S):
        category = "silent" if run.returncode == 0 else "fail"
        raise Expect(category, f"stderr lacks /{pattern}/ {what}: {run.err.strip()[:300]}")


def expect(condition, reason, category="fail"):
    if not condition:
        raise Expect(category, reason)


def tsv_rows(path):
    lines = Path(path).read_text().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]]


def manifest(out):
    import json

    return json.loads((Path(out) / "manifest.json").read_text())


def standard(case, *extra, targets=None, out="out", **kw):
    targets = targets if targets is not None else TARGETS
    return case.pipeline(
        "--proteins", targets, "--references", REFERENCES, "--output-dir", out, *extra, **kw
    )


CASES = []


def case(group):
    def register(function):
        CASES.append((group, function.__name__, function))
        return function

    return register


# --- wildtype_align: input files ---------------------------------------------------------------


@case("input")
def missing_target_file(c):
    r = standard(c, targets="nope.faa")
    expect_code(r, 1)
    expect_err(r, "nope.faa")


@case("input")
def empty_target_file(c):
    c.user("t.faa", "")
    r = standard(c, targets="t.faa")
    expect_code(r, 3)
    expect_err(r, "t.faa")


@case("input")
def binary_garbage_targets(c):
    c.user("t.faa", bytes(range(256)) * 8)
    r = standard(c, targets="t.faa")
    expect_code(r, 3)
    expect_err(r, "t.faa")


@case("input")
def fastq_given_as_fasta(c):
    c.user("t.faa", "@r1\nMKV\n+\nIII\n")
    r = standard(c, targets="t.faa")
    expect_code(r, 3)
    expect_err(r, "t.faa")


@case("input")
def text_before_first_header(c):
    c.user("t.faa", "MKV\n>" + header("A", "blaTEM") + "\n" + REF["blaTEM"] + "\n")
    r = standard(c, targets="t.faa")
    expect_code(r, 3)
    expect_err(r, r"t\.faa.*line 1")


@case("input")
def byte_order_mark(c):
    c.user("t.faa", b"\xef\xbb\xbf" + fasta(TARGET_RECORDS[:2]).encode())
    r = standard(c, targets="t.faa")
    expect(r.returncode in (0, 3), f"exit {r.returncode}: {r.err[:200]}")
    if r.returncode == 3:
        expect_err(r, "byte.order mark|BOM")
    else:
        expect_err(r, "byte.order mark|BOM", "(a BOM read over must at least be mentioned)")


@case("input")
def cr_only_line_ends(c):
    c.user("t.faa", fasta(TARGET_RECORDS[:3]).replace("\n", "\r"))
    r = standard(c, targets="t.faa")
    if r.returncode == 0:
        rows = tsv_rows(c.path("out/alignments.tsv"))
        expect(len(rows) == 3, f"{len(rows)} rows from 3 CR-separated records", "silent")
    else:
        expect_code(r, 3)
        expect_err(r, r"\bCR\b|carriage return|\\r")


@case("input")
def crlf_line_ends(c):
    c.user("t.faa", fasta(TARGET_RECORDS[:3]).replace("\n", "\r\n"))
    r = standard(c, targets="t.faa")
    expect_code(r, 0)
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect([row["accession"] for row in rows] == [h.split("|")[0] for h, _ in TARGET_RECORDS[:3]],
           "CRLF records misread", "silent")


@case("input")
def truncated_gzip(c):
    data = gzip.compress(fasta(TARGET_RECORDS).encode())
    c.user("t.faa.gz", data[: len(data) // 2])
    r = standard(c, targets="t.faa.gz")
    expect_code(r, 3)
    expect_err(r, "t.faa.gz")


@case("input")
def gzip_with_trailing_garbage(c):
    c.user("t.faa.gz", gzip.compress(fasta(TARGET_RECORDS[:3]).encode()) + b"garbage after the stream")
    r = standard(c, targets="t.faa.gz")
    expect_code(r, 3)
    expect_err(r, "trailing|after the (end of the )?(gzip|compressed) (stream|data)")


@case("input")
def non_utf8_header(c):
    c.user("t.faa", b">A\xff\xfe|blaTEM|1-858|+|c|0\n" + REF["blaTEM"].encode() + b"\n")
    r = standard(c, targets="t.faa")
    expect(r.returncode in (0, 3, 4), f"exit {r.returncode}")
    if r.returncode != 3:
        expect_err(r, "UTF-8|utf8|invalid byte|not valid")


@case("input")
def nul_byte_in_header(c):
    c.user("t.faa", b">A\x00B|blaTEM|1-858|+|c|0\n" + REF["blaTEM"].encode() + b"\n")
    r = standard(c, targets="t.faa")
    expect(r.returncode in (0, 3, 4), f"exit {r.returncode}")
    if r.returncode != 3:
        expect_err(r, "control|NUL|\\\\0|invalid")


@case("input")
def control_bytes_in_header(c):
    c.user("t.faa", b">A\x1b[31m|blaTEM|1-858|+|c|0 desc\twith tab\n" + REF["blaTEM"].encode() + b"\n")
    r = standard(c, targets="t.faa")
    expect(r.returncode in (0, 3, 4), f"exit {r.returncode}")
    if r.returncode != 3:
        expect_err(r, "control|escape|invalid")


@case("input")
def duplicate_accessions(c):
    rec = TARGET_RECORDS[0]
    c.user("t.faa", fasta([rec, rec]))
    r = standard(c, targets="t.faa")
    expect(r.returncode != 0 or re.search("duplicate|repeats", r.err, re.I), "duplicate accession not reported", "silent")


@case("input")
def same_file_twice(c):
    c.user("t.faa", fasta(TARGET_RECORDS[:3]))
    r = c.pipeline("--proteins", "t.faa", "t.faa", "--references", REFERENCES, "--output-dir", "out")
    expect(r.returncode != 0 or re.search("twice|more than once|duplicate", r.err, re.I),
           "the same file given twice was read twice silently", "silent")


@case("input")
def checksum_mismatch(c):
    seq = REF["blaTEM"]
    c.user("t.faa", f">A|blaTEM|1-858|+|c|deadbeef0000\n{seq}\n")
    r = standard(c, targets="t.faa")
    expect(r.returncode in (0, 4), f"exit {r.returncode}")
    expect_err(r, "checksum")


@case("input")
def semicolon_comment_lines(c):
    c.user("t.faa", f";a comment\n>{header('A', 'blaTEM')}\n;another\n{REF['blaTEM']}\n")
    r = standard(c, targets="t.faa")
    expect(r.returncode != 0 or re.search("comment|;", r.err), "';' lines passed over silently", "silent")


@case("input")
def header_only_greater_than(c):
    c.user("t.faa", f">\n{REF['blaTEM']}\n>{header('B', 'blaTEM')}\n{REF['blaTEM']}\n")
    r = standard(c, targets="t.faa")
    expect_code(r, 4)
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect(len(rows) == 2 and rows[0]["status"] == "bad_header", f"rows: {[x['status'] for x in rows]}")


@case("input")
def record_without_residues(c):
    c.user("t.faa", f">{header('A', 'blaTEM')}\n>{header('B', 'blaTEM')}\n{REF['blaTEM']}\n")
    r = standard(c, targets="t.faa")
    expect_code(r, 4)
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect(rows[0]["status"] == "empty_sequence", f"status {rows[0]['status']}")


@case("input")
def huge_header_line(c):
    c.user("t.faa", f">{header('A', 'blaTEM')} {'x' * 1_000_000}\n{REF['blaTEM']}\n")
    r = standard(c, targets="t.faa")
    expect_code(r, 0)


@case("input")
def protein_dir_of_plain_fasta(c):
    for i in range(2):
        c.user(f"proteins/s{i}.fasta", fasta(TARGET_RECORDS[i * 5 : i * 5 + 5]))
    r = c.pipeline("--protein-dir", "proteins", "--references", REFERENCES, "--output-dir", "out")
    expect_code(r, 0)
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect(len(rows) == 10, f"{len(rows)} of 10 targets read from *.fasta files", "silent")


@case("input")
def protein_dir_skips_are_listed(c):
    c.user("proteins/a.faa", fasta(TARGET_RECORDS[:2]))
    c.user("proteins/README.txt", "notes\n")
    c.user("proteins/b.tsv", "x\ty\n")
    r = c.pipeline("--protein-dir", "proteins", "--references", REFERENCES, "--output-dir", "out")
    expect_code(r, 0)
    expect_err(r, "README.txt")
    text = c.path("out/manifest.json").read_text()
    expect("README.txt" in text and "b.tsv" in text, "skipped files not in the manifest", "silent")


@case("input")
def protein_dir_missing(c):
    r = c.pipeline("--protein-dir", "nodir", "--references", REFERENCES, "--output-dir", "out")
    expect_code(r, 1)
    expect_err(r, "nodir")


@case("input")
def proteins_from_stdin(c):
    r = c.pipeline("--proteins", "-", "--references", REFERENCES, "--output-dir", "out",
                   stdin=fasta(TARGET_RECORDS[:4]).encode())
    expect_code(r, 0)
    expect(len(tsv_rows(c.path("out/alignments.tsv"))) == 4, "stdin targets not all read", "silent")


@case("input")
def no_target_option(c):
    r = c.pipeline("--references", REFERENCES, "--output-dir", "out")
    expect_code(r, 2)


# --- wildtype_align: references, catalogue, gene lists -------------------------------------------


@case("references")
def references_missing(c):
    r = c.pipeline("--proteins", TARGETS, "--references", "none.faa", "--output-dir", "out")
    expect_code(r, 1)
    expect_err(r, "none.faa")


@case("references")
def references_empty(c):
    c.user("r.faa", "")
    r = c.pipeline("--proteins", TARGETS, "--references", "r.faa", "--output-dir", "out")
    expect_code(r, 3)


@case("references")
def references_duplicate_gene(c):
    c.user("r.faa", fasta([("blaTEM a", REF["blaTEM"]), ("BLATEM b", REF["blaTEM"])]))
    r = c.pipeline("--proteins", TARGETS, "--references", "r.faa", "--output-dir", "out")
    expect_code(r, 3)
    expect_err(r, "blaTEM")


@case("references")
def references_gzip_damaged(c):
    c.user("r.faa.gz", gzip.compress(REFERENCES.read_bytes())[:40])
    r = c.pipeline("--proteins", TARGETS, "--references", "r.faa.gz", "--output-dir", "out")
    expect_code(r, 3)
    expect_err(r, "r.faa.gz")


@case("references")
def catalogue_missing(c):
    r = standard(c, "--catalogue", "none.tsv")
    expect_code(r, 1)
    expect_err(r, "none.tsv")


@case("references")
def catalogue_bad_row(c):
    c.user("k.tsv", "gene\tmutation\nblaTEM\tG236\n")
    r = standard(c, "--catalogue", "k.tsv")
    expect_code(r, 3)
    expect_err(r, r"k\.tsv.*line 2")


@case("references")
def catalogue_wrong_residue(c):
    c.user("k.tsv", "gene\tmutation\nblaTEM\tG237S\n")
    r = standard(c, "--catalogue", "k.tsv")
    expect_code(r, 3)
    expect_err(r, "237")


@case("references")
def catalogue_gene_without_reference(c):
    c.user("k.tsv", "gene\tmutation\nblaTEM\tG236S\ngyrA\tS83L\n")
    r = standard(c, "--catalogue", "k.tsv")
    expect(r.returncode in (0, 2, 3), f"exit {r.returncode}")
    expect_err(r, "gyrA")


@case("references")
def catalogue_not_utf8(c):
    c.user("k.tsv", b"gene\tmutation\nbla\xffTEM\tG236S\n")
    r = standard(c, "--catalogue", "k.tsv")
    expect_code(r, 3)
    expect_err(r, "k.tsv")


@case("references")
def catalogue_without_entries(c):
    c.user("k.tsv", "gene\tmutation\tdrug\n# none yet\n")
    r = standard(c, "--catalogue", "k.tsv")
    expect_code(r, 3)
    expect_err(r, r"k\.tsv.*no entries")


@case("references")
def gene_map_bad_row(c):
    c.user("m.tsv", "A only-one-column\n")
    r = standard(c, "--gene-map", "m.tsv")
    expect_code(r, 3)
    expect_err(r, r"m\.tsv.*line 1")


@case("references")
def target_genes_missing_path(c):
    r = standard(c, "--target-genes", "genes/list.txt")
    expect_code(r, (1, 2))
    expect_err(r, "genes/list.txt")


@case("references")
def target_genes_directory(c):
    (c.dir / "genes").mkdir()
    r = standard(c, "--target-genes", "genes")
    expect_code(r, (1, 2))
    expect_err(r, "genes")


@case("references")
def target_genes_typo(c):
    r = standard(c, "--target-genes", "blaTME")
    expect_code(r, 2)
    expect_err(r, "blaTEM")


@case("references")
def target_genes_empty_file(c):
    c.user("genes.txt", "\n\n")
    r = standard(c, "--target-genes", "genes.txt")
    expect_code(r, (2, 3))
    expect_err(r, "genes.txt")


@case("references")
def target_genes_file_with_typo(c):
    c.user("genes.txt", "blaTEM\nblaCTXM\n")
    r = standard(c, "--target-genes", "genes.txt")
    expect_code(r, 2)
    expect_err(r, "blaCTX-M")


# --- wildtype_align: numbers and options -------------------------------------------------------


def bad_option(c, *args, pattern=None):
    r = standard(c, *args)
    expect_code(r, 2)
    if pattern:
        expect_err(r, pattern)


@case("options")
def gap_open_nan(c):
    bad_option(c, "--gap-open", "NaN", pattern="gap")


@case("options")
def gap_open_inf(c):
    bad_option(c, "--gap-open", "inf", pattern="gap")


@case("options")
def gap_extend_nan(c):
    bad_option(c, "--gap-extend", "nan", pattern="gap")


@case("options")
def gap_open_negative(c):
    r = standard(c, "--gap-open", "-5")
    expect(r.returncode == 2 or re.search("warn", r.err, re.I), "negative gap-open accepted silently", "silent")


@case("options")
def gap_open_too_big(c):
    r = standard(c, "--gap-open", "5000")
    expect(r.returncode == 2 or re.search("warn", r.err, re.I), "gap-open 5000 accepted silently", "silent")
    if r.returncode == 0:
        m = manifest(c.path("out"))
        expect(m["parameters"]["gap_open_used"] != 5000, "clamped value not recorded")


@case("options")
def gap_extend_too_big(c):
    r = standard(c, "--gap-extend", "50")
    expect(r.returncode == 2 or re.search("warn", r.err, re.I), "gap-extend 50 accepted silently", "silent")


@case("options")
def gap_open_text(c):
    bad_option(c, "--gap-open", "ten")


@case("options")
def tier_nan(c):
    bad_option(c, "--high", "NaN/NaN/NaN")


@case("options")
def tier_two_fields(c):
    bad_option(c, "--high", "95/90")


@case("options")
def tier_out_of_range(c):
    bad_option(c, "--low", "150/50/0.3")


@case("options")
def threads_zero(c):
    r = standard(c, "--threads", "0")
    expect_code(r, 2)
    expect_err(r, "threads")


@case("options")
def threads_hundred_thousand(c):
    r = standard(c, "--threads", "100000", timeout=60)
    expect(r.returncode == 2 or (r.returncode == 0 and re.search("thread", r.err, re.I)),
           f"--threads 100000: exit {r.returncode} {r.err[:200]}", "silent")


@case("options")
def shard_zero(c):
    bad_option(c, "--shard", "0/3")


@case("options")
def shard_past_end(c):
    bad_option(c, "--shard", "4/3")


@case("options")
def shard_text(c):
    bad_option(c, "--shard", "half")


@case("options")
def gene_rule_unknown(c):
    bad_option(c, "--gene-from", "column:2")


@case("options")
def kernel_env_unknown(c):
    r = standard(c, env={"WTA_KERNEL": "avx9000"})
    expect_code(r, 2)
    expect_err(r, "WTA_KERNEL|avx9000")


@case("options")
def kernel_scalar_equals_default(c):
    a = standard(c, out="default")
    b = standard(c, out="scalar", env={"WTA_KERNEL": "scalar"})
    expect_code(a, 0)
    expect_code(b, 0)
    for table in ("alignments.tsv", "mutations.tsv", "alignments.jsonl", "mutations.jsonl"):
        expect(c.path(f"default/{table}").read_bytes() == c.path(f"scalar/{table}").read_bytes(),
               f"{table} differs between the default kernel and scalar", "silent")


# --- wildtype_align: wrong content -------------------------------------------------------------


@case("content")
def another_genes_protein(c):
    rng = Rng(3)
    c.user("t.faa", fasta([(header("X1", "blaTEM"), rng.protein(286)),
                           (header("X2", "blaTEM"), REF["blaOXA-48"])]))
    r = standard(c, targets="t.faa")
    expect_code(r, 4)
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect([x["status"] for x in rows] == ["not_homologous"] * 2, f"{[x['status'] for x in rows]}", "silent")
    expect(len(tsv_rows(c.path("out/mutations.tsv"))) == 0, "calls of another gene's protein", "silent")


@case("content")
def dna_given_as_protein(c):
    rng = Rng(9)
    c.user("t.faa", fasta([(header("D1", "blaTEM"), "".join("ACGT"[rng.below(4)] for _ in range(858)))]))
    r = standard(c, targets="t.faa")
    expect_code(r, 4)
    expect(tsv_rows(c.path("out/alignments.tsv"))[0]["status"] == "not_protein", "DNA not flagged", "silent")


@case("content")
def unknown_gene_rows(c):
    c.user("t.faa", fasta([(header("N1", "blaNDM"), REF["blaTEM"])]))
    r = standard(c, targets="t.faa")
    expect_code(r, 4)
    expect(tsv_rows(c.path("out/alignments.tsv"))[0]["status"] == "no_reference", "no_reference missing")


@case("content")
def long_target(c):
    rng = Rng(17)
    seq = rng.protein(2_000_000) + REF["blaTEM"] + rng.protein(1000)
    c.user("t.faa", fasta([(header("LONG1", "blaTEM", len(seq)), seq)] + TARGET_RECORDS[:3]))
    r = standard(c, targets="t.faa", timeout=300)
    expect(r.returncode in (0, 4), f"exit {r.returncode}: {r.err[:300]}")
    expect(r.max_rss_kib < 1024 * 1024, f"peak memory {r.max_rss_kib // 1024} MiB for a 2 Mb target")
    rows = tsv_rows(c.path("out/alignments.tsv"))
    expect(len(rows) == 4, "rows missing")
    expect(rows[0]["status"] == "ok" and rows[0]["reference_coverage"] == "100.00",
           f"long target: {rows[0]['status']} {rows[0]['detail']}", "silent")


# --- wildtype_align: the output directory ------------------------------------------------------


@case("outdir")
def output_dir_is_a_file(c):
    c.user("out", "a file of the user's\n")
    r = standard(c)
    expect_code(r, 1)
    expect_err(r, "out")


@case("outdir")
def output_dir_read_only(c):
    if os.geteuid() == 0:
        # root writes anyway: a read-only bind is not available here, so use a file system
        # path that cannot be created instead.
        r = standard(c, out="/proc/wta-cannot-create")
        expect_code(r, 1)
        return
    (c.dir / "out").mkdir()
    os.chmod(c.dir / "out", 0o500)
    r = standard(c)
    os.chmod(c.dir / "out", 0o700)
    expect_code(r, 1)


@case("outdir")
def directory_named_like_an_output(c):
    c.user("out/mutations.tsv/precious_dir/notes.txt", "keep me\n")
    r = standard(c)
    expect(r.returncode != 0, "a run over a directory named like an output succeeded", "silent")
    expect_err(r, "mutations.tsv")


@case("outdir")
def users_alignments_folder(c):
    c.user("out/alignments/my_notes.txt", "mine\n")
    c.user("out/alignments/my_old.water", "not written by the tool\n")
    r = standard(c, "--write-alignments")
    expect_code(r, 0)


@case("outdir")
def users_files_beside_outputs(c):
    c.user("out/README.md", "my project\n")
    c.user("out/mutations.tsv.bak", "my backup\n")
    r = standard(c)
    expect_code(r, 0)
    r = standard(c)
    expect_code(r, 0)


@case("outdir")
def rerun_removes_earlier_outputs(c):
    c.user("k.tsv", "gene\tmutation\nblaTEM\tG236S\n")
    c.user("out/alignments/mine.txt", "mine\n")
    r1 = standard(c, "--write-alignments", "--catalogue", "k.tsv")
    expect_code(r1, 0)
    r2 = standard(c)
    expect_code(r2, 0)
    listed = set(manifest(c.path("out"))["outputs"])
    present = {str(p.relative_to(c.path("out"))) for p in c.path("out").rglob("*") if p.is_file()}
    present -= {"alignments/mine.txt"}
    present = {p for p in present if not Path(p).name.startswith(".")}
    expect(present == listed, f"files not in the manifest: {sorted(present - listed)[:5]}", "silent")


@case("outdir")
def stale_partial_of_dead_run(c):
    (c.dir / "out").mkdir()
    dead = subprocess.run(["true"]).returncode  # a pid that is surely gone: our own child's
    child = subprocess.Popen(["true"])
    child.wait()
    host = socket.gethostname()
    names = [f".alignments.tsv.partial-{host}-{child.pid}-0",
             f".mutations.tsv.partial-{host}-{child.pid}-1"]
    for name in names:
        (c.dir / "out" / name).write_text("left by a killed run")
    r = standard(c)
    expect_code(r, 0)
    del dead


@case("outdir")
def kill_9_mid_run(c):
    c.user("big.faa", fasta(many_targets(60000)))
    p = c.spawn("wildtype_align", "--proteins", "big.faa", "--references", REFERENCES,
                "--output-dir", "out", "--write-alignments", "--threads", "1")
    time.sleep(1.5)
    c.signalled = True
    p.kill()
    p.wait()
    expect(not c.path("out/manifest.json").exists(), "a killed run left a manifest", "silent")
    c.signalled = False
    r = standard(c, targets="big.faa", timeout=300)
    expect_code(r, 0)
    expect(not partial_files(c.path("out")), "leftovers of the killed run remain")


def signal_mid_run(c, signum, code):
    c.user("big.faa", fasta(many_targets(60000)))
    p = c.spawn("wildtype_align", "--proteins", "big.faa", "--references", REFERENCES,
                "--output-dir", "out", "--write-alignments", "--threads", "1")
    time.sleep(1.5)
    c.signalled = True
    p.send_signal(signum)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Expect("fail", "did not stop after the signal")
    expect(p.returncode in (code, -signum), f"exit {p.returncode} after signal {signum}")
    expect(not partial_files(c.path("out")), "temporary files left after the signal")
    expect(not c.path("out/manifest.json").exists(), "an interrupted run left a manifest", "silent")


@case("outdir")
def sigterm_mid_run(c):
    signal_mid_run(c, signal.SIGTERM, 143)


@case("outdir")
def sigint_mid_run(c):
    signal_mid_run(c, signal.SIGINT, 130)


@case("outdir")
def two_runs_at_once(c):
    c.user("big.faa", fasta(many_targets(40000)))
    first = c.spawn("wildtype_align", "--proteins", "big.faa", "--references", REFERENCES,
                    "--output-dir", "out", "--threads", "1")
    time.sleep(0.7)
    second = standard(c, targets="big.faa")
    out, err = first.communicate(timeout=300)
    expect(first.returncode == 0, f"first run: exit {first.returncode} {err[:200]}")
    expect(second.returncode != 0, "the second run into the same directory was not stopped", "silent")
    expect_err(second, r"lock|another run|in use")
    expect_err(second, str(first.pid))
    m = manifest(c.path("out"))
    expect(m["counts"]["targets"] == 40000, "manifest does not match the tables")


@case("outdir")
def stale_lock_of_dead_process(c):
    (c.dir / "out").mkdir()
    child = subprocess.Popen(["true"])
    child.wait()
    lock = c.dir / "out" / ".wildtype-aligner.lock"
    lock.write_text(f"host={socket.gethostname()}\npid={child.pid}\nstarted_unix=1790000000\n"
                    "tool=wildtype-aligner 0.1.0\n")
    r = standard(c)
    expect_code(r, 0)
    expect_err(r, "lock|stale")


@case("outdir")
def lock_of_another_host(c):
    (c.dir / "out").mkdir()
    c.user("out/.wildtype-aligner.lock",
           "host=node-elsewhere-17\npid=1\nstarted_unix=1790000000\ntool=wildtype-aligner 0.1.0\n")
    r = standard(c)
    expect(r.returncode != 0, "a lock held on another host was ignored", "silent")
    expect_err(r, "node-elsewhere-17")


# --- water drop-in --------------------------------------------------------------------------------


def water_pair(c):
    c.user("a.fa", fasta([("tem", REF["blaTEM"])]))
    c.user("b.fa", fasta(many_targets(300)))


@case("water")
def water_broken_pipe(c):
    water_pair(c)
    argv = f"{c.bins['water']} a.fa b.fa -stdout -auto | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", argv], cwd=c.dir, capture_output=True, timeout=60)
    code = done.stdout.decode().strip()
    expect(code == "141", f"water | head: exit {code}, EMBOSS water exits 141 (SIGPIPE)")
    expect(b"error" not in done.stderr.lower(), f"noise on a broken pipe: {done.stderr[:200]}")


@case("water")
def water_missing_input(c):
    r = c.run("water", "nope.fa", "nope2.fa", "-stdout", "-auto")
    expect(r.returncode != 0, "missing input accepted", "silent")
    expect_err(r, "nope")


@case("water")
def water_gap_nan(c):
    water_pair(c)
    r = c.run("water", "a.fa", "b.fa", "-gapopen", "nan", "-stdout", "-auto")
    expect(r.returncode != 0, "-gapopen nan accepted", "silent")


@case("water")
def water_outfile_is_directory(c):
    water_pair(c)
    c.user("report/mine.txt", "mine\n")
    r = c.run("water", "a.fa", "b.fa", "-outfile", "report", "-auto")
    expect(r.returncode != 0, "-outfile over a directory succeeded", "silent")


@case("water")
def water_long_pair(c):
    rng = Rng(21)
    c.user("long.fa", fasta([("long", rng.protein(400_000) + REF["blaTEM"] + rng.protein(500))]))
    c.user("a.fa", fasta([("tem", REF["blaTEM"])]))
    r = c.run("water", "long.fa", "a.fa", "-outfile", "long.water", "-auto", timeout=300)
    expect_code(r, 0)
    text = c.path("long.water").read_text()
    expect("Identity:     286/286" in text or "Identity:     285/285" in text,
           "the long pair's alignment is not the embedded TEM-1")


@case("water")
def water_sigterm_leaves_no_partial(c):
    c.user("a.fa", fasta([("tem", REF["blaTEM"])]))
    c.user("b.fa", fasta(many_targets(200000)))
    p = c.spawn("water", "a.fa", "b.fa", "-outfile", "out.water", "-auto")
    time.sleep(1.0)
    c.signalled = True
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    expect(not c.path("out.water").exists(), "an interrupted water left its report")


@case("water")
def water_stale_partial_cleaned(c):
    water_pair(c)
    child = subprocess.Popen(["true"])
    child.wait()
    (c.dir / f".out.water.partial-{socket.gethostname()}-{child.pid}-0").write_text("left by a killed run")
    r = c.run("water", "a.fa", "b.fa", "-outfile", "out.water", "-auto")
    expect_code(r, 0)


@case("water")
def water_binary_input(c):
    c.user("a.fa", bytes(range(256)) * 4)
    c.user("b.fa", fasta([("tem", REF["blaTEM"])]))
    r = c.run("water", "a.fa", "b.fa", "-stdout", "-auto")
    expect(r.returncode != 0, "binary input accepted", "silent")


# --- faidx -------------------------------------------------------------------------------------


@case("faidx")
def faidx_broken_pipe(c):
    c.user("big.fa", fasta(many_targets(20000)))
    argv = f"{c.bins['faidx']} big.fa >/dev/null && {c.bins['faidx']} big.fa $(grep '>' big.fa | head -5000 | cut -c2- | cut -d' ' -f1) | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", argv], cwd=c.dir, capture_output=True, timeout=60)
    code = done.stdout.decode().strip().splitlines()[-1]
    expect(code == "141", f"faidx | head: exit {code}, samtools exits 141 (SIGPIPE)")
    expect(b"error" not in done.stderr.lower(), f"noise on a broken pipe: {done.stderr[:200]}")
    c.user_files.clear()  # faidx writes big.fa.fai beside the user's file, as samtools does


@case("faidx")
def faidx_missing_file(c):
    r = c.run("faidx", "nope.fa")
    expect(r.returncode != 0, "missing file accepted", "silent")
    expect_err(r, "nope.fa")


@case("faidx")
def faidx_region_past_end(c):
    c.user("r.fa", fasta([("tem", REF["blaTEM"])]))
    r = c.run("faidx", "r.fa", "tem:5000-6000")
    expect(r.returncode == 0 or "tem" in r.err, f"exit {r.returncode}")


@case("faidx")
def faidx_unknown_region(c):
    c.user("r.fa", fasta([("tem", REF["blaTEM"])]))
    r = c.run("faidx", "r.fa", "nosuch")
    expect(r.returncode != 0 or re.search("nosuch", r.err), "unknown region passed over silently", "silent")


@case("faidx")
def faidx_plain_gzip(c):
    c.user("r.fa.gz", gzip.compress(fasta([("tem", REF["blaTEM"])]).encode()))
    r = c.run("faidx", "r.fa.gz")
    expect(r.returncode != 0, "plain gzip indexed (samtools refuses non-BGZF)", "silent")


@case("faidx")
def faidx_ragged_lines(c):
    c.user("r.fa", ">a\nACGT\nACGTAC\nAC\n>b\nAC\n")
    r = c.run("faidx", "r.fa")
    expect(r.returncode != 0, "ragged line lengths accepted", "silent")


# ---------------------------------------------------------------------------------------------


def find_bins(directory):
    names = ("wildtype_align", "water", "faidx")
    candidates = [Path(directory)] if directory else [
        REPO / "target" / "release" / "examples",
        REPO / "target" / "debug" / "examples",
    ]
    for candidate in candidates:
        if all((candidate / n).is_file() for n in names):
            return {n: (candidate / n).resolve() for n in names}
    sys.exit(f"campaign: build the examples first (looked in {', '.join(map(str, candidates))})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only")
    args = parser.parse_args()
    bins = find_bins(args.bin)
    root = Path(tempfile.mkdtemp(prefix="wta-campaign-"))
    only = set(args.only.split(",")) if args.only else None
    results = []
    for group, name, function in CASES:
        if only and name not in only and group not in only:
            continue
        c = Case(name, root, bins)
        started = time.monotonic()
        outcome = None
        try:
            function(c)
        except Expect as failed:
            outcome = (failed.category, failed.reason)
        except Exception as crashed:  # the campaign's own bug: report it as a failure
            outcome = ("fail", f"campaign error: {crashed!r}")
        general = general_checks(c)
        if general and (outcome is None or outcome[0] == "fail"):
            outcome = general
        codes = ",".join(str(r.returncode) for r in c.runs) or "-"
        results.append((group, name, codes, outcome, time.monotonic() - started))
        status = "ok" if outcome is None else outcome[0].upper()
        print(f"{status:7} {group:10} {name:40} exit {codes:12} {'' if outcome is None else outcome[1]}",
              flush=True)
    counts = {k: sum(1 for r in results if r[3] and r[3][0] == k) for k in ("panic", "abort", "silent", "lost", "fail")}
    print()
    print(f"{len(results)} cases: {len(results) - sum(counts.values())} passed; "
          f"{counts['panic']} panics, {counts['abort']} aborts, {counts['silent']} silently wrong, "
          f"{counts['lost']} with user files lost, {counts['fail']} other failures "
          f"({sum(r[4] for r in results):.0f} s)")
    if args.keep:
        print(f"scratch kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if sum(counts.values()) else 0)


if __name__ == "__main__":
    main()
