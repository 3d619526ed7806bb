#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from small real files in data/.

Run from the repository root: `python3 fuzz/make_seeds.py` (needs `samtools` for the .fai
seeds). The seeds are committed; rerun only when data/ or an input layout changes.
"""
import glob
import gzip
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
FAI_MARKER = b"\0FAI\0"
# Flag bits of fuzz_targets/fasta_reader.rs.
GZIP, REQUIRE_NONEMPTY, UNIQUE_IDS, INDEXED, MEMORY_MAP = 1, 2, 4, 8, 16


def read(path):
    with open(os.path.join(DATA, path), "rb") as f:
        return f.read()


def records(fasta, count):
    """The first `count` records of a FASTA text."""
    parts = fasta.split(b"\n>")
    return (b"\n>".join(parts[:count])).rstrip(b"\n") + b"\n"


def seeds(target, items):
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in items:
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def samtools_fai(fasta):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.fa")
        with open(path, "wb") as f:
            f.write(fasta)
        subprocess.run(["samtools", "faidx", path], check=True)
        with open(path + ".fai", "rb") as f:
            return f.read()


def fasta_reader():
    a = read("water-cases/01_protein_default/a.fa")
    dna = read("water-cases/03_dna_ambiguity/b.fa")
    refs = records(read("wildtype/references.faa"), 3)
    targets = records(read("wildtype/targets_proteins.fasta"), 2)
    crlf = refs.replace(b"\n", b"\r\n")
    dup = b">a x\nMK\n>b\n\n>a\nLV\n"
    items = [
        ("plain_protein", bytes([0]) + a),
        ("plain_dna", bytes([0]) + dna),
        ("gzipped_refs", bytes([GZIP]) + refs),
        ("raw_gzip_stream", bytes([0]) + gzip.compress(targets)),
        ("checked_duplicates", bytes([REQUIRE_NONEMPTY | UNIQUE_IDS]) + dup),
        ("regions", bytes([0]) + targets + b"RDB_blaTEM-1B_1|blaTEM|1-861|+|resfinder_blaTEM-1B|c9c4ef97b0e6:3-40\n"),
    ]
    for name, fasta, flags in [
        ("indexed_refs", refs, INDEXED),
        ("indexed_refs_mmap", refs, INDEXED | MEMORY_MAP),
        ("indexed_crlf", crlf, INDEXED),
        ("indexed_targets", targets, INDEXED | MEMORY_MAP),
    ]:
        items.append((name, bytes([flags]) + fasta + FAI_MARKER + samtools_fai(fasta)))
    # A hostile index: LENGTH far beyond the file.
    items.append(("hostile_length", bytes([INDEXED]) + refs + FAI_MARKER
                  + b"x\t18446744073709551615\t3\t60\t61\n"))
    seeds("fasta_reader", items)


def matrix():
    seeds("matrix", [
        ("EBLOSUM62", read("matrices/EBLOSUM62")),
        ("EDNAFULL", read("matrices/EDNAFULL")),
        ("MYMAT", read("water-cases/14_custom_matrix/MYMAT")),
        ("fractional", b"# fractional\n  A C\nA 2.5 -1\nC -1 3.75\n"),
    ])


def water_args():
    items = []
    for cmd in sorted(glob.glob(os.path.join(DATA, "water-cases", "*", "cmd"))):
        with open(cmd, "rb") as f:
            words = f.read().split()[1:]  # without the program name
        items.append((os.path.basename(os.path.dirname(cmd)), b"\0".join(words)))
    items.append(("positional", b"\0".join(
        [b"a.fa", b"b.fa", b"-sbegin1", b"-5", b"-send2", b"0", b"-awidth3", b"60", b"-stdout"])))
    seeds("water_args", items)


def headers():
    targets = read("wildtype/targets_proteins.fasta")
    header_lines = [line for line in targets.splitlines() if line.startswith(b">")][:8]
    reference = records(read("wildtype/references.faa"), 1).splitlines()[1]
    catalogue = (b"#" + reference + b"\n"
                 + b"gene\tmutation\tdrug_class\n"
                 + b"blaTEM\tS2L\tpenicillin\n"
                 + b"blaTEM\tp.Gln4_His5insGln\tx\n"
                 + b"blaTEM\t6_7del\tx\n"
                 + b"blaTEM\tp.(Arg7Ter)\tx\n")
    seeds("headers", [
        ("targets", b"\n".join(header_lines) + b"\n"),
        ("ncbi", b">sp|P69905|HBA_HUMAN Hemoglobin subunit alpha\n>gi|1|ref|NP_000549.1|\n"
                 b">pdb|1ABC|A\n>db:id\n>P1;CRAB\n>WP_1 [gene=blaCTX-M] [protein=beta-lactamase]\n"
                 b"field:2\nword:1\nkey:gene\n"),
        ("catalogue", catalogue),
        ("gene_map", b"accession\tgene\nWP_1\tblaTEM\nWP_2\tblaSHV\n"),
    ])


def align_differential():
    # Raw residue bytes: the target maps every byte into its alphabet, so real proteins make
    # real-like pairs.
    a = b"".join(read("water-cases/01_protein_default/a.fa").splitlines()[1:])
    b = b"".join(read("water-cases/01_protein_default/b.fa").splitlines()[1:])
    quirk_a = b"".join(read("water-cases/08_column0_gap_quirk/a.fa").splitlines()[1:])
    quirk_b = b"".join(read("water-cases/08_column0_gap_quirk/b.fa").splitlines()[1:])
    seeds("align_differential", [
        ("hba_hbb", bytes([0, 0, 0, 20, 0, 1]) + a + b),
        ("column0_quirk", bytes([2, 1, 0, 20, 0, 1]) + quirk_a + quirk_b),
        ("decimals", bytes([1, 0, 1, 0x28, 0x3c, 1, 0x64, 0]) + a[:40] + b[:40]),
    ])


if __name__ == "__main__":
    fasta_reader()
    matrix()
    water_args()
    headers()
    align_differential()
