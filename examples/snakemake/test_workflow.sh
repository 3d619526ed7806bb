#!/usr/bin/env bash
# Runs examples/snakemake/Snakefile with 3 shards on the bundled data and checks that the
# gathered outputs equal an unsharded run's byte for byte (the manifest up to its run-specific
# fields: timings, thread count and the merge's shard list; report.html up to the lines from
# `<!-- timings: begin -->` to `<!-- timings: end -->`), then runs again into the same
# directories with fewer outputs and checks that only the new set and the user's files remain.
#
#   bash examples/snakemake/test_workflow.sh
#
# Installs Snakemake from PyPI into ${CARGO_TARGET_DIR:-target}/snakemake-venv (kept between
# runs) and builds the wildtype_align example with cargo's test profile, which `cargo test` has
# already built (a dev-profile build would recompile every dependency at opt-level 0);
# WTA_SNAKE_PROFILE=release uses the release build instead. WTA_SNAKE_KEEP=1 keeps
# the scratch directory with both runs for inspection.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
started=$SECONDS

snakemake_spec="snakemake==8.30.0"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
case $target_dir in /*) ;; *) target_dir=$repo/$target_dir ;; esac
venv=$target_dir/snakemake-venv
profile=${WTA_SNAKE_PROFILE:-test}

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "test_workflow: Snakemake 8 needs Python >= 3.11, python3 is $(python3 --version 2>&1)" >&2
  exit 1
fi
if ! "$venv/bin/snakemake" --version >/dev/null 2>&1; then
  echo "test_workflow: installing $snakemake_spec into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$snakemake_spec"
fi
echo "test_workflow: snakemake $("$venv/bin/snakemake" --version)"

cargo build --quiet --profile "$profile" --example wildtype_align
case $profile in test | dev) profile_dir=debug ;; bench) profile_dir=release ;; *) profile_dir=$profile ;; esac
binary=$target_dir/$profile_dir/examples/wildtype_align

tmp=$(mktemp -d)
if [ "${WTA_SNAKE_KEEP:-0}" = 1 ]; then
  echo "test_workflow: keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

# Targets the pipeline cannot align (no reference, empty sequence, non-standard header), before
# and after the bundled ones so that failures come from the first and the last shard.
printf '>BAD1|blaNDM|1-30|+|c1|ab12\nMELPNIMHPV\n' >"$tmp/bad1_proteins.fasta"
printf '>BAD2|blaTEM|1-3|+|c1|cd34\n\n>BAD3 some other header\nMSIQHFRVAL\n' >"$tmp/bad2_proteins.fasta"
# Catalogue rows observed in shards 1, 2 and 3, and rows nobody carries.
printf 'gene\tmutation\tdrug_class\nblaTEM\tQ37K\tpenicillin\nblaCTX-M\tN117D\tcephalosporin\nblaOXA-48\tS212G\tcarbapenem\nblaTEM\tL10W\tnone\nblaCTX-M\tT10W\tnone\nblaKPC\tT179Y\tceftazidime-avibactam\n' >"$tmp/known.tsv"

failed=0
passed=0

# Compares the unsharded run in $1 with the gathered one in $2; prints every difference.
compare() {
  local full=$1 gathered=$2 name status=0
  for name in $(cd "$full" && find . -type f ! -name manifest.json | sort); do
    if [ ! -f "$gathered/$name" ]; then
      echo "MISSING: $gathered/$name"
      status=1
    elif [[ $name == */report.html ]]; then
      # The report's timings (wall time, threads, shards) are its run's own; both must have them.
      for file in "$full/$name" "$gathered/$name"; do
        grep -qx '<!-- timings: begin -->' "$file" || { echo "NO TIMINGS: $file"; status=1; }
      done
      diff -u --label "unsharded/$name" --label "gathered/$name" \
        <(sed '/^<!-- timings: begin -->$/,/^<!-- timings: end -->$/d' "$full/$name") \
        <(sed '/^<!-- timings: begin -->$/,/^<!-- timings: end -->$/d' "$gathered/$name") || status=1
    elif [[ $name == *.water ]]; then
      # water reports carry their run's date and time.
      diff -u --label "unsharded/$name" --label "gathered/$name" \
        <(grep -v '^# Rundate:' "$full/$name") <(grep -v '^# Rundate:' "$gathered/$name") || status=1
    else
      diff -u --label "unsharded/$name" --label "gathered/$name" "$full/$name" "$gathered/$name" || status=1
    fi
  done
  for name in $(cd "$gathered" && find . -path ./shards -prune -o -path ./logs -prune -o -type f ! -name .snakemake_timestamp -print | sort); do
    [ -f "$full/$name" ] || { echo "EXTRA: $gathered/$name"; status=1; }
  done
  # The manifests: equal after dropping what is specific to a run.
  python3 - "$full/manifest.json" "$gathered/manifest.json" "$tmp/manifest" <<'EOF' || status=1
import json, sys
full, gathered, stem = sys.argv[1:]
def normal(path, out):
    with open(path) as handle:
        manifest = json.load(handle)
    for key in ("started_unix", "wall_time_seconds", "wall_time_seconds_max", "shards"):
        manifest.pop(key, None)
    manifest["parameters"].pop("threads")
    with open(out, "w") as handle:
        handle.write(json.dumps(manifest, indent=2) + "\n")
normal(full, stem + ".unsharded.json")
normal(gathered, stem + ".gathered.json")
EOF
  diff -u "$tmp/manifest.unsharded.json" "$tmp/manifest.gathered.json" || status=1
  return $status
}

# One case: an unsharded run and the workflow with 3 shards on the same settings.
run_case() {
  local name=$1 catalogue=$2 write_alignments=$3
  shift 3
  local inputs=("$@") case_dir=$tmp/${CASE_DIR:-$name} options=() input
  mkdir -p "$case_dir"
  [ "$catalogue" = null ] || options+=(--catalogue "$catalogue")
  [ "$write_alignments" = false ] || options+=(--write-alignments)
  {
    echo "inputs:"
    for input in "${inputs[@]}"; do echo "  - $input"; done
    echo "references: $repo/data/wildtype/references.faa"
    echo "output_dir: $case_dir/gathered"
    echo "shards: 3"
    echo "threads: 1"
    echo "mem_mb: 500"
    echo "runtime: 5"
    echo "binary: $binary"
    echo "catalogue: $catalogue"
    echo "write_alignments: $write_alignments"
  } >"$case_dir/config.yaml"

  local status=0
  "$binary" --proteins "${inputs[@]}" --references "$repo/data/wildtype/references.faa" \
    --output-dir "$case_dir/unsharded" --threads 2 "${options[@]}" >"$case_dir/unsharded.log" 2>&1 || status=$?
  if [ $status -ne 0 ] && [ $status -ne 4 ]; then
    cat "$case_dir/unsharded.log"
    echo "FAIL $name: unsharded run exited $status"
    return 1
  fi
  if ! "$venv/bin/snakemake" --snakefile "$repo/examples/snakemake/Snakefile" \
    --directory "$case_dir" --configfile "$case_dir/config.yaml" --cores 2 --quiet \
    ${SNAKEMAKE_ARGS:-} \
    >"$case_dir/snakemake.log" 2>&1; then
    cat "$case_dir/snakemake.log"
    cat "$case_dir"/gathered/logs/*.log 2>/dev/null || true
    echo "FAIL $name: snakemake failed"
    return 1
  fi
  if compare "$case_dir/unsharded" "$case_dir/gathered"; then
    echo "ok $name: 3 shards gathered = unsharded run ($(($(wc -l <"$case_dir/gathered/alignments.tsv") - 1)) targets)"
  else
    echo "FAIL $name: gathered outputs differ from the unsharded run (diff above)"
    return 1
  fi
}

if run_case bundled null false "$repo/data/wildtype/targets_proteins.fasta"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
# A user's files in the output directories, alignments/ included, before the first run there
# (the same in both, so that the comparison sees them as equal): no run, gather or Snakemake
# step may remove them.
for where in unsharded gathered; do
  mkdir -p "$tmp/failures_catalogue_water/$where/alignments"
  echo mine >"$tmp/failures_catalogue_water/$where/alignments/notes.txt"
  echo mine >"$tmp/failures_catalogue_water/$where/my_notes.txt"
done
if run_case failures_catalogue_water "$tmp/known.tsv" true \
  "$tmp/bad1_proteins.fasta" "$repo/data/wildtype/targets_proteins.fasta" "$tmp/bad2_proteins.fasta"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Again into the same directories with fewer outputs (no catalogue, no water reports): each run
# and the gather replace exactly the set their earlier manifest lists and touch nothing else.
# The user's files stay; nothing of the earlier set does.
rerun_keeps_only_the_new_set() {
  local dir=$tmp/failures_catalogue_water where status=0
  CASE_DIR=failures_catalogue_water SNAKEMAKE_ARGS="--forcerun shard" run_case rerun_fewer_outputs null false \
    "$tmp/bad1_proteins.fasta" "$repo/data/wildtype/targets_proteins.fasta" "$tmp/bad2_proteins.fasta" || return 1
  local stale
  stale=$(cd "$dir" && find unsharded gathered \( -name '*.water' -o -name catalogue_unobserved.tsv -o -name '*.partial-*' -o -name .wildtype-aligner.lock \) | sort)
  if [ -n "$stale" ]; then
    echo "FAIL rerun: files of the earlier set (or temporary files) left behind:"
    echo "$stale"
    status=1
  fi
  for where in unsharded gathered; do
    for file in alignments/notes.txt my_notes.txt; do
      [ "$(cat "$dir/$where/$file" 2>/dev/null)" = mine ] || { echo "FAIL rerun: $where/$file lost"; status=1; }
    done
  done
  [ $status -eq 0 ] && echo "ok rerun: the earlier set replaced, the user's files kept"
  return $status
}
if rerun_keeps_only_the_new_set; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# gather.py by hand: refused while another run holds the directory, and where a directory
# stands at an output's name (which it keeps, writing nothing).
gather_refuses() {
  local shards=$tmp/failures_catalogue_water/gathered/shards out=$tmp/blocked status=0 host
  mkdir -p "$out/mutations.tsv/precious"
  echo mine >"$out/mutations.tsv/precious/notes.txt"
  if python3 "$repo/examples/snakemake/gather.py" --output-dir "$out" --binary "$binary" "$shards"/{1,2,3} 2>"$tmp/blocked.log"; then
    echo "FAIL gather: wrote over a directory"
    status=1
  fi
  grep -q "mutations.tsv: a directory stands where an output file goes" "$tmp/blocked.log" || { cat "$tmp/blocked.log"; status=1; }
  [ "$(cd "$out" && find . | sort | tr '\n' ' ')" = ". ./mutations.tsv ./mutations.tsv/precious ./mutations.tsv/precious/notes.txt " ] || {
    echo "FAIL gather: the blocked directory changed: $(cd "$out" && find . | sort | tr '\n' ' ')"
    status=1
  }
  host=$(python3 -c 'import re, socket; print(re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()))')
  rm -rf "$out/mutations.tsv"
  printf 'host=%s\npid=%s\nstarted_unix=1\n' "$host" $$ >"$out/.wildtype-aligner.lock"
  if python3 "$repo/examples/snakemake/gather.py" --output-dir "$out" --binary "$binary" "$shards"/{1,2,3} 2>"$tmp/blocked.log"; then
    echo "FAIL gather: ran while the directory was locked"
    status=1
  fi
  grep -q "in use by process $$ on host $host" "$tmp/blocked.log" || { cat "$tmp/blocked.log"; status=1; }
  # A lock and a temporary directory of a gather that was killed (its process gone) are
  # taken over and removed.
  local dead
  dead=$(sh -c 'echo $$')
  printf 'host=%s\npid=%s\nstarted_unix=1\n' "$host" "$dead" >"$out/.wildtype-aligner.lock"
  mkdir -p "$out/.gather.partial-$host-$dead-0/alignments"
  python3 "$repo/examples/snakemake/gather.py" --output-dir "$out" --binary "$binary" "$shards"/{1,2,3} 2>"$tmp/blocked.log" || status=1
  grep -q "took over the lock of process $dead" "$tmp/blocked.log" || { cat "$tmp/blocked.log"; status=1; }
  if [ -n "$(cd "$out" && find . -name '.*' ! -name . )" ] || [ ! -f "$out/manifest.json" ]; then
    echo "FAIL gather: after a stale lock: $(cd "$out" && find . -name '.*')"
    status=1
  fi
  [ $status -eq 0 ] && echo "ok gather: refused a locked directory and one with a directory in an output's place, took over a stale lock"
  return $status
}
if gather_refuses; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

echo "test_workflow: $((SECONDS - started))s"
echo "snakemake: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
