#!/usr/bin/env python3
"""Gather the shard outputs of `wildtype_align --shard K/N` into one output directory.

    python3 gather.py --output-dir OUT --binary WILDTYPE_ALIGN SHARD_DIR_1 ... SHARD_DIR_N

The shard directories must be given in shard order (1/N first). Standard library only, so the
Snakefile's gather step can be tested (and run by hand) without Snakemake.

What it writes, from what each shard's manifest lists in "outputs":

* alignments.tsv, mutations.tsv: the shards' tables concatenated in order, the header once
  (every shard's header must be identical).
* alignments.jsonl, mutations.jsonl: concatenated in order.
* catalogue_unobserved.tsv (runs with --catalogue): a catalogue row is unobserved by the whole
  run when no shard observed it, i.e. it is in every shard's file; its aligned_targets column is
  the sum over the shards.
* alignments/*.water (runs with --write-alignments): the reports each shard's manifest lists,
  copied; a name in two shards is an error.
* report.html: rendered from the gathered tables and manifest by `WILDTYPE_ALIGN
  --render-report` (the binary the shards ran, given with --binary), so it equals an unsharded
  run's report apart from the lines between `<!-- timings: begin -->` and
  `<!-- timings: end -->` (wall time, threads, shards).
* manifest.json: one manifest, with the same keys in the same order as an unsharded run's.
  Counts of this run's targets are summed; targets_read and filtered_out_by_gene_list describe
  the whole input that every shard read, so they must agree and are kept, not summed. Inputs,
  tool, version, kernel and parameters must agree (parameters.shard becomes null and
  shard_targets the union). References are the union in reference-set order, failures are
  concatenated in shard order, started_unix is the earliest, wall_time_seconds is the sum (CPU
  budget spent); the merge adds "wall_time_seconds_max" (the slowest shard, i.e. the wall time
  with unlimited parallelism) and "shards" (each shard's directory, range and timing) after it.

The output directory follows the pipeline's rules: the gathered run owns exactly the files its
manifest lists. Gathering again replaces that set (removing the earlier manifest's files it does
not write again) and touches no other file: the shard directories, Snakemake's logs and a user's
files (in alignments/ too) stay. Nothing is replaced if a directory stands where an output file
goes. The lock file .wildtype-aligner.lock (host, pid, start time; created exclusively) keeps a
pipeline run and a gather, or two gathers, out of the same directory at once; a stale lock (this
host, its process gone) is taken over with a warning. SIGINT and SIGTERM remove the temporary
files and the lock (exit 130, 143); the temporary directory of a gather that was killed is
removed by the next one.

Exit status: 0 on success, 1 if the shard outputs are inconsistent or unreadable or the output
directory cannot be used (a directory in an output's place, another run's lock).
"""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

TABLES = ("alignments.tsv", "mutations.tsv")
JSON_LINES = ("alignments.jsonl", "mutations.jsonl")
UNOBSERVED = "catalogue_unobserved.tsv"
ALIGNMENTS_DIR = "alignments"
# Keys of "counts" that describe the whole input every shard read, not the shard's slice.
WHOLE_INPUT_COUNTS = ("targets_read", "filtered_out_by_gene_list")
# Parameters that legitimately differ between shards or from an unsharded run.
SHARD_PARAMETERS = ("shard", "shard_targets", "threads")
# Warnings about single targets are each shard's own; the others (a skipped file, a clamped
# gap penalty, a catalogue gene without a reference) concern the whole input and every shard
# repeats them.
TARGET_WARNINGS = ("duplicate_accession", "checksum_mismatch", "header_not_utf8", "header_control_bytes")
MANIFEST = "manifest.json"
REPORT = "report.html"
LOCK_FILE = ".wildtype-aligner.lock"
# What a manifest may name as an output; nothing else is ever removed as an earlier run's.
OUTPUT_NAME = re.compile(
    r"(alignments|mutations)\.(tsv|jsonl)|catalogue_unobserved\.tsv|report\.html"
    r"|alignments/[A-Za-z0-9._-]+\.water"
)


class GatherError(Exception):
    pass


def read_manifest(directory):
    path = os.path.join(directory, "manifest.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise GatherError(f"{path}: {error}") from error


def concatenate(out, name, shard_dirs, header):
    """Copies the shards' `name` files into `out` in order; with `header`, keeps the first line
    of the first shard only and requires the others to start with the same line."""
    first_header = None
    with open(out, "wb") as target:
        for directory in shard_dirs:
            path = os.path.join(directory, name)
            with open(path, "rb") as source:
                if header:
                    line = source.readline()
                    if first_header is None:
                        first_header = line
                        target.write(line)
                    elif line != first_header:
                        raise GatherError(f"{path}: header differs from the first shard's")
                shutil.copyfileobj(source, target)


def merge_unobserved(out, shard_dirs):
    rows = []  # (key, fields) in the first shard's order
    counts = {}
    present = {}
    header = None
    for directory in shard_dirs:
        path = os.path.join(directory, UNOBSERVED)
        with open(path, encoding="utf-8", newline="") as handle:
            lines = handle.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if header is None:
            header = lines[0]
            column = header.split("\t").index("aligned_targets")
        elif lines[0] != header:
            raise GatherError(f"{path}: header differs from the first shard's")
        for line in lines[1:]:
            fields = line.split("\t")
            key = tuple(fields[:column] + fields[column + 1 :])
            if directory == shard_dirs[0]:
                rows.append((key, fields))
            counts[key] = counts.get(key, 0) + int(fields[column])
            present[key] = present.get(key, 0) + 1
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for key, fields in rows:
            if present[key] == len(shard_dirs):
                fields = list(fields)
                fields[column] = str(counts[key])
                handle.write("\t".join(fields) + "\n")


def is_report(name):
    return name.startswith(ALIGNMENTS_DIR + "/")


def copy_alignments(stage, manifests, shard_dirs):
    """Copies the water reports each shard's manifest lists; returns their names in order."""
    target_dir = os.path.join(stage, ALIGNMENTS_DIR)
    os.makedirs(target_dir, exist_ok=True)
    seen = set()
    names = []
    for manifest, directory in zip(manifests, shard_dirs):
        for name in manifest["outputs"]:
            if not is_report(name):
                continue
            if not OUTPUT_NAME.fullmatch(name):
                raise GatherError(f"{directory}/{MANIFEST}: '{name}' is not a water report's name")
            if name in seen:
                raise GatherError(f"{directory}/{name}: also written by an earlier shard")
            seen.add(name)
            names.append(name)
            shutil.copy2(os.path.join(directory, name), os.path.join(stage, name))
    return names


def reference_headers(path):
    """First words of the FASTA headers of `path` (plain or gzip), or None if unreadable."""
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            return [line[1:].split()[0] if line[1:].split() else "" for line in handle if line.startswith(">")]
    except OSError:
        return None


def merge_references(manifests):
    """The union of the shards' references in reference-set order: the order of the reference
    files in "inputs", then of the records within a file (read from the file when it can be;
    otherwise order of first appearance, which is right whenever one shard used them all)."""
    files = [i["path"] for i in manifests[0]["inputs"] if i["role"] == "references"]
    headers = {}
    union = []
    seen = {}
    for manifest in manifests:
        for reference in manifest["references"]:
            key = reference["gene"].lower()
            if key in seen:
                if seen[key] != reference:
                    raise GatherError(f"reference {reference['gene']} differs between shards")
                continue
            seen[key] = reference
            union.append(reference)

    def order(item):
        position, reference = item
        file = reference["file"]
        file_index = files.index(file) if file in files else len(files)
        if file not in headers:
            headers[file] = reference_headers(file)
        ids = headers[file]
        record = ids.index(reference["id"]) if ids and reference["id"] in ids else position
        return (file_index, record, position)

    return [reference for _, reference in sorted(enumerate(union), key=order)]


def merge_warnings(manifests):
    """Every shard's warnings in shard order, each whole-input warning once."""
    merged = []
    for manifest in manifests:
        for warning in manifest.get("warnings", []):
            if warning["kind"] in TARGET_WARNINGS or warning not in merged:
                merged.append(warning)
    return merged


def merge_warning_counts(manifests):
    """Target warnings summed over the shards; whole-input ones as one shard counts them."""
    counts = {}
    for manifest in manifests:
        for kind, count in manifest.get("warning_counts", {}).items():
            if kind in TARGET_WARNINGS:
                counts[kind] = counts.get(kind, 0) + count
            else:
                counts[kind] = max(counts.get(kind, 0), count)
    return dict(sorted(counts.items()))


def merge_manifests(manifests, shard_dirs):
    first = manifests[0]
    for manifest, directory in zip(manifests[1:], shard_dirs[1:]):
        for key in ("tool", "version", "kernel", "inputs"):
            if manifest[key] != first[key]:
                raise GatherError(f"{directory}: manifest '{key}' differs from the first shard's")
        # The tables are the same; the water reports are each shard's own.
        if [n for n in manifest["outputs"] if not is_report(n)] != [
            n for n in first["outputs"] if not is_report(n)
        ]:
            raise GatherError(f"{directory}: manifest 'outputs' differ from the first shard's")
        ours = {k: v for k, v in manifest["parameters"].items() if k not in SHARD_PARAMETERS}
        theirs = {k: v for k, v in first["parameters"].items() if k not in SHARD_PARAMETERS}
        if ours != theirs:
            raise GatherError(f"{directory}: manifest 'parameters' differ from the first shard's")
        for key in WHOLE_INPUT_COUNTS:
            if manifest["counts"][key] != first["counts"][key]:
                raise GatherError(f"{directory}: counts.{key} differs from the first shard's")

    ranges = [m["parameters"]["shard_targets"] for m in manifests]
    for previous, following, directory in zip(ranges, ranges[1:], shard_dirs[1:]):
        if previous[1] != following[0]:
            raise GatherError(
                f"{directory}: shard starts at target {following[0]}, the previous one ended at "
                f"{previous[1]} (shard directories must be given in shard order, all of them)"
            )
    expected_total = first["counts"]["targets_read"] - first["counts"]["filtered_out_by_gene_list"]
    if ranges[0][0] != 0 or ranges[-1][1] != expected_total:
        raise GatherError(
            f"shards cover targets {ranges[0][0]}..{ranges[-1][1]} of {expected_total}: "
            "a shard is missing"
        )

    merged = {}
    for key, value in first.items():
        merged[key] = value
    parameters = dict(first["parameters"])
    parameters["shard"] = None
    parameters["shard_targets"] = [ranges[0][0], ranges[-1][1]]
    parameters["threads"] = max(m["parameters"]["threads"] for m in manifests)
    merged["parameters"] = parameters
    merged["references"] = merge_references(manifests)

    counts = {}
    for key, value in first["counts"].items():
        if key in WHOLE_INPUT_COUNTS:
            counts[key] = value
        elif isinstance(value, dict):
            summed = {}
            for manifest in manifests:
                for name, count in manifest["counts"][key].items():
                    summed[name] = summed.get(name, 0) + count
            counts[key] = dict(sorted(summed.items()))
        else:
            counts[key] = sum(m["counts"][key] for m in manifests)
    merged["counts"] = counts
    merged["failures"] = [failure for m in manifests for failure in m["failures"]]
    if "warnings" in first:
        merged["warnings"] = merge_warnings(manifests)
        merged["warning_counts"] = merge_warning_counts(manifests)
    merged["started_unix"] = min(m["started_unix"] for m in manifests)
    merged["wall_time_seconds"] = sum(m["wall_time_seconds"] for m in manifests)
    merged["wall_time_seconds_max"] = max(m["wall_time_seconds"] for m in manifests)
    merged["shards"] = [
        {
            "shard": m["parameters"]["shard"],
            "directory": directory,
            "shard_targets": m["parameters"]["shard_targets"],
            "threads": m["parameters"]["threads"],
            "started_unix": m["started_unix"],
            "wall_time_seconds": m["wall_time_seconds"],
        }
        for m, directory in zip(manifests, shard_dirs)
    ]
    return merged


def host():
    """This host's name as the pipeline writes it in locks and temporary names."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "localhost"


def is_running(pid):
    """Whether process `pid` of this host may run: only "no such process" counts as gone."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class Lock:
    """The output directory's lock, as the pipeline takes it (see the module's docstring)."""

    def __init__(self, out_dir):
        self.path = os.path.join(out_dir, LOCK_FILE)
        text = (
            f"host={host()}\npid={os.getpid()}\nstarted_unix={int(time.time())}\n"
            "tool=gather.py\n"
        )
        for _ in range(8):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self.take_over()
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            return
        raise GatherError(f"{self.path}: the lock keeps changing hands; try again")

    def take_over(self):
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except FileNotFoundError:
            return
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        try:
            holder_host, pid = fields["host"], int(fields["pid"])
            started = fields["started_unix"]
            holder = f"process {pid} on host {holder_host} (started at unix time {started})"
        except (KeyError, ValueError):
            holder_host, pid, holder = None, None, "an unreadable lock file"
        if holder_host != host() or is_running(pid):
            raise GatherError(
                f"{self.path}: the output directory is in use by {holder}; "
                f"if that run is certainly gone, remove {self.path} and run again"
            )
        aside = f"{self.path}.partial-{host()}-{os.getpid()}-0"
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        with open(aside, encoding="utf-8", errors="replace") as handle:
            moved = handle.read()
        if moved != text:
            # Another run took it over meanwhile: put its lock back.
            try:
                os.link(aside, self.path)
            finally:
                os.remove(aside)
            raise GatherError(f"{self.path}: the output directory is in use by another run")
        os.remove(aside)
        print(
            f"gather.py: warning: {self.path}: took over the lock of {holder}, "
            "which is no longer running",
            file=sys.stderr,
        )

    def release(self):
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass


def remove_dead_stages(out_dir):
    """Removes the temporary directories of gathers on this host whose process is gone."""
    pattern = re.compile(r"\.gather\.partial-(.+)-(\d+)-\d+")
    for name in os.listdir(out_dir):
        match = pattern.fullmatch(name)
        path = os.path.join(out_dir, name)
        if not match or match.group(1) != host() or is_running(int(match.group(2))):
            continue
        if os.path.isdir(path):
            shutil.rmtree(path)
            print(f"gather.py: warning: {path}: removed, left by a gather that stopped", file=sys.stderr)


def previous_outputs(out_dir):
    """The outputs the earlier manifest in out_dir lists (names the pipeline writes only)."""
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as handle:
            outputs = json.load(handle).get("outputs", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [n for n in outputs if isinstance(n, str) and OUTPUT_NAME.fullmatch(n)]


def check_destinations(out_dir, outputs):
    """Fails, before anything is replaced, where something other than a file stands at an
    output file's name (or other than a directory at alignments/)."""
    if any(is_report(name) for name in outputs):
        path = os.path.join(out_dir, ALIGNMENTS_DIR)
        if os.path.lexists(path) and not os.path.isdir(path):
            raise GatherError(
                f"{path}: a file stands where an output directory goes; nothing was written"
            )
    for name in outputs:
        path = os.path.join(out_dir, name)
        # A file, or a link (replacing it leaves what it points to alone), may be replaced.
        if os.path.lexists(path) and not (os.path.islink(path) or os.path.isfile(path)):
            raise GatherError(
                f"{path}: a directory stands where an output file goes; nothing was written "
                "(move it away or choose another output directory)"
            )


def gather(out_dir, shard_dirs, binary=None):
    if not shard_dirs:
        raise GatherError("no shard directories given")
    manifests = [read_manifest(d) for d in shard_dirs]
    merged = merge_manifests(manifests, shard_dirs)

    os.makedirs(out_dir, exist_ok=True)
    lock = Lock(out_dir)
    try:
        remove_dead_stages(out_dir)
        return write_outputs(out_dir, shard_dirs, manifests, merged, binary)
    finally:
        lock.release()


def render_report(stage, binary):
    """Writes stage/report.html from the gathered tables and manifest in stage, with the
    pipeline's own renderer (the tables are what the report draws, so it equals an unsharded
    run's)."""
    if not binary:
        raise GatherError(
            f"the shards wrote {REPORT}: give --binary (the wildtype_align they ran) to render it"
        )
    try:
        result = subprocess.run(
            [binary, "--render-report", stage], capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise GatherError(f"{binary}: {error}") from error
    if result.returncode != 0:
        raise GatherError(
            f"{binary} --render-report failed (exit {result.returncode}): {result.stderr.strip()}"
        )


def write_outputs(out_dir, shard_dirs, manifests, merged, binary):
    # Like the pipeline: write everything under temporary names, rename the manifest last, so a
    # manifest in out_dir always vouches for a complete set.
    stage = os.path.join(out_dir, f".gather.partial-{host()}-{os.getpid()}-0")
    os.mkdir(stage)
    try:
        outputs = []
        for name in manifests[0]["outputs"]:
            path = os.path.join(stage, name)
            try:
                if name in TABLES:
                    concatenate(path, name, shard_dirs, header=True)
                elif name in JSON_LINES:
                    concatenate(path, name, shard_dirs, header=False)
                elif name == UNOBSERVED:
                    merge_unobserved(path, shard_dirs)
                elif is_report(name):
                    # All shards' reports, in shard order, where the first shard's begin.
                    if not any(is_report(n) for n in outputs):
                        outputs.extend(copy_alignments(stage, manifests, shard_dirs))
                    continue
                elif name == REPORT:
                    # Rendered once the gathered manifest is in the stage.
                    pass
                elif name == MANIFEST:
                    continue
                else:
                    raise GatherError(f"unknown output '{name}' in the shard manifests")
            except OSError as error:
                raise GatherError(str(error)) from error
            outputs.append(name)
        later_reports = any(is_report(n) for m in manifests for n in m["outputs"])
        if later_reports and not any(is_report(n) for n in outputs):
            # The first shard wrote no report, later ones did: after the tables, as unsharded.
            reports = copy_alignments(stage, manifests, shard_dirs)
            outputs[4:4] = reports
        merged["outputs"] = outputs + [MANIFEST]
        with open(os.path.join(stage, MANIFEST), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        if REPORT in outputs:
            render_report(stage, binary)
        check_destinations(out_dir, merged["outputs"])
        # The earlier set's files not written again go first, while its manifest lists them;
        # then that manifest; then the new files, the manifest last.
        written = set(merged["outputs"])
        previous = previous_outputs(out_dir)
        for name in previous:
            if name not in written:
                path = os.path.join(out_dir, name)
                if os.path.lexists(path) and not os.path.isdir(path):
                    os.remove(path)
        final_manifest = os.path.join(out_dir, MANIFEST)
        if os.path.lexists(final_manifest) and not os.path.isdir(final_manifest):
            os.remove(final_manifest)
        if any(is_report(n) for n in outputs):
            os.makedirs(os.path.join(out_dir, ALIGNMENTS_DIR), exist_ok=True)
        for name in outputs:
            os.replace(os.path.join(stage, name), os.path.join(out_dir, name))
        os.replace(os.path.join(stage, MANIFEST), final_manifest)
        if any(is_report(n) for n in previous) and not any(is_report(n) for n in outputs):
            try:
                os.rmdir(os.path.join(out_dir, ALIGNMENTS_DIR))  # only if empty
            except OSError:
                pass
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return merged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", required=True, help="where to write the gathered outputs")
    parser.add_argument(
        "--binary",
        help="the wildtype_align binary the shards ran, to render report.html with",
    )
    parser.add_argument("shard_dirs", nargs="+", help="shard output directories, in shard order")
    args = parser.parse_args(argv)
    # SIGTERM ends the gather like SIGINT: through the clean-up of its temporary files and lock.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        merged = gather(args.output_dir, args.shard_dirs, args.binary)
    except GatherError as error:
        print(f"gather.py: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gather.py: interrupted", file=sys.stderr)
        return 130
    counts = merged["counts"]
    print(
        f"gathered {len(args.shard_dirs)} shards: {counts['targets']} targets, "
        f"{counts['aligned']} aligned, {counts['mutations']} mutations -> {args.output_dir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
