#!/usr/bin/env bash
# Runs examples/snakemake/Snakefile with `--executor slurm` on a throwaway single-node SLURM
# cluster that this script starts and stops, with the profile examples/snakemake/profiles/slurm
# (its account and partition placeholders filled in for the throwaway cluster):
#
#   1. 3 shards, every one a real sbatch job: the gathered outputs equal an unsharded run's byte
#      for byte (the manifest up to its run-specific fields, report.html up to its timings);
#   2. a fault in shard 2 (the workflow's fault_hook): the run fails, naming the shard, and
#      leaves no gathered output; once the fault is gone, a re-run submits only the missing shard
#      and succeeds with the same outputs;
#   3. a shard that fails once recovers with --retries 1.
#
#   sudo bash examples/snakemake/test_slurm.sh
#
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages
# (`apt-get install slurmctld slurmd slurm-client munge`); without them it skips, unless
# WTA_REQUIRE_SLURM=1 (as in .ci/run), which makes their absence a failure. The cluster (munged,
# slurmctld, slurmd on free local ports, their config, state and logs) lives in a temporary
# directory and is stopped on every exit path; nothing outside it is touched. Snakemake and the
# executor plugin are installed from PyPI into ${CARGO_TARGET_DIR:-target}/snakemake-slurm-venv
# (kept between runs). Job states are queried with squeue (the plugin's --slurm-status-command
# squeue, reliable when SLURM's MinJobAge is at least 3 times the first status check's delay), so
# the cluster needs no accounting database. WTA_SNAKE_PROFILE picks the cargo profile of the
# binary as in test_workflow.sh; WTA_SNAKE_KEEP=1 keeps the scratch directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
started=$SECONDS

# The same Snakemake as test_workflow.sh, with the SLURM executor plugin and its job-step
# companion at versions that declare support for it (snakemake-interface-executor-plugins 9).
snakemake_spec="snakemake==8.30.0"
plugin_specs=(snakemake-executor-plugin-slurm==2.8.0 snakemake-executor-plugin-slurm-jobstep==0.6.1)
target_dir=${CARGO_TARGET_DIR:-$repo/target}
case $target_dir in /*) ;; *) target_dir=$repo/$target_dir ;; esac
venv=$target_dir/snakemake-slurm-venv
profile=${WTA_SNAKE_PROFILE:-test}

say() { echo "test_slurm: $*"; }
missing=()
for command in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel srun; do
  command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
[ "$(id -u)" = 0 ] || missing+=("root (slurmd launches jobs as their user)")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${WTA_REQUIRE_SLURM:-0}" = 1 ]; then
    say "FAIL: SLURM is required (WTA_REQUIRE_SLURM=1) but missing: ${missing[*]}" >&2
    exit 1
  fi
  say "SKIP: missing ${missing[*]} (apt-get install slurmctld slurmd slurm-client munge; run as root)"
  exit 0
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "Snakemake 8 needs Python >= 3.11, python3 is $(python3 --version 2>&1)" >&2
  exit 1
fi

if ! "$venv/bin/python" -c 'import snakemake_executor_plugin_slurm' >/dev/null 2>&1 ||
  [ "$("$venv/bin/snakemake" --version 2>/dev/null)" != "${snakemake_spec#*==}" ]; then
  say "installing $snakemake_spec ${plugin_specs[*]} into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$snakemake_spec" "${plugin_specs[@]}"
fi
say "snakemake $("$venv/bin/snakemake" --version), $("$venv/bin/pip" list --disable-pip-version-check 2>/dev/null | grep -i 'executor-plugin-slurm ' | tr -s ' ')"

cargo build --quiet --profile "$profile" --example wildtype_align
case $profile in test | dev) profile_dir=debug ;; bench) profile_dir=release ;; *) profile_dir=$profile ;; esac
binary=$target_dir/$profile_dir/examples/wildtype_align

tmp=$(mktemp -d)
cluster=$tmp/cluster
daemons=()

# Cancels the cluster's jobs (so no job step outlives the cluster), stops the daemons this script
# started (by their process ids) and removes the scratch directory.
stop_cluster() {
  local status=$? pid
  trap - EXIT
  if [ -f "$cluster/slurm.conf" ] && [ ${#daemons[@]} -gt 0 ]; then
    scancel --full --quiet --user root 2>/dev/null || true
    for _ in $(seq 1 20); do
      [ -z "$(squeue --noheader --states=PENDING,RUNNING,COMPLETING 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${daemons[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${WTA_SNAKE_KEEP:-0}" = 1 ]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Prints the cluster's daemon logs (on a failure to start or to run jobs).
dump_logs() {
  local log
  for log in "$cluster"/log/*.log; do
    [ -f "$log" ] || continue
    echo "--- $log (last 30 lines)"
    tail -n 30 "$log"
  done
}

# --- the throwaway cluster ----------------------------------------------------------------
# The daemons run in their own sessions, so that a signal to this script's process group (Ctrl-C,
# a CI timeout) reaches Snakemake, which cancels its jobs, while the cluster stays up until
# stop_cluster has cancelled what is left and stops it by process id.
mkdir -p "$cluster"/{munge,state,spool,log}
chmod 700 "$cluster" "$cluster/munge"
head -c 1024 /dev/urandom >"$cluster/munge/munge.key"
chmod 600 "$cluster/munge/munge.key"
setsid munged --foreground --force --key-file="$cluster/munge/munge.key" \
  --socket="$cluster/munge/munge.socket" --pid-file="$cluster/munge/munged.pid" \
  --log-file="$cluster/log/munged.log" --seed-file="$cluster/munge/munged.seed" \
  >"$cluster/log/munged.out" 2>&1 &
daemons+=($!)
for _ in $(seq 1 50); do [ -S "$cluster/munge/munge.socket" ] && break; sleep 0.1; done
if [ ! -S "$cluster/munge/munge.socket" ]; then
  say "FAIL: munged did not start" >&2
  cat "$cluster/log/munged.out" >&2
  dump_logs >&2
  exit 1
fi

# Two free TCP ports for slurmctld and slurmd (the system's 6817/6818 may be taken).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
node=$(hostname -s)
# The node as slurmd sees it (CPUs, sockets, memory), without the UpTime field.
node_line=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]*//')
export SLURM_CONF=$cluster/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=wtatest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$cluster/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$cluster/log/jobcomp.txt
# Finished jobs stay visible to squeue for 10 minutes: the executor's status queries use squeue.
MinJobAge=600
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1$node_line State=UNKNOWN
PartitionName=wtatest Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# The job-step plugin (snakemake-executor-plugin-slurm-jobstep 0.6.1) removes every SLURM_*
# variable except the job's identity from the environment of the srun it runs the rule with,
# SLURM_CONF included. On a real cluster srun finds slurm.conf at its compiled-in path; this
# one's is in the scratch directory, so an srun first on PATH (inherited by the jobs) restores it.
mkdir -p "$cluster/bin"
printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$SLURM_CONF" "$(command -v srun)" >"$cluster/bin/srun"
chmod +x "$cluster/bin/srun"
export PATH=$cluster/bin:$PATH
setsid slurmctld -D -i >"$cluster/log/slurmctld.out" 2>&1 &
daemons+=($!)
setsid slurmd -D -N "$node" >"$cluster/log/slurmd.out" 2>&1 &
daemons+=($!)
state=
for _ in $(seq 1 60); do
  state=$(sinfo --noheader --partition wtatest --format %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" != idle ]; then
  say "FAIL: the SLURM node did not become idle (state '${state:-none}')" >&2
  cat "$cluster"/log/*.out >&2
  dump_logs >&2
  exit 1
fi
say "SLURM $(sinfo --version | cut -d' ' -f2): node $node ($(echo $node_line | grep -o 'CPUs=[0-9]*')), partition wtatest, ports $ctld_port/$slurmd_port, up after $((SECONDS - started))s"

# --- the workflow's settings and the profile ---------------------------------------------
# Targets the pipeline cannot align, before and after the bundled ones, so that failures come
# from the first and the last shard; a catalogue; water reports per pair.
printf '>BAD1|blaNDM|1-30|+|c1|ab12\nMELPNIMHPV\n' >"$tmp/bad1_proteins.fasta"
printf '>BAD2|blaTEM|1-3|+|c1|cd34\n\n>BAD3 some other header\nMSIQHFRVAL\n' >"$tmp/bad2_proteins.fasta"
printf 'gene\tmutation\tdrug_class\nblaTEM\tQ37K\tpenicillin\nblaCTX-M\tN117D\tcephalosporin\nblaKPC\tT179Y\tceftazidime-avibactam\n' >"$tmp/known.tsv"
inputs=("$tmp/bad1_proteins.fasta" "$repo/data/wildtype/targets_proteins.fasta" "$tmp/bad2_proteins.fasta")

# The fault hook: fails shard K while $tmp/faults/K exists, as many times as the file holds
# (each failure takes one off; "always" never runs out).
mkdir -p "$tmp/faults"
cat >"$tmp/fault_hook" <<EOF
#!/bin/sh
fault="$tmp/faults/\$1"
[ -f "\$fault" ] || exit 0
left=\$(cat "\$fault")
case \$left in
  always) ;;
  1) rm -f "\$fault" ;;
  *) echo \$((left - 1)) >"\$fault" ;;
esac
echo "fault_hook: injected failure of shard \$1" >&2
exit 1
EOF
chmod +x "$tmp/fault_hook"

# The profile with its placeholders filled in: this cluster has no accounts (no accounting
# database; without slurm_account the plugin tries to guess one, fails and submits without), its
# partition is wtatest; job states come from squeue, first asked 2 s after a submission instead
# of 40; the logs of successful jobs are kept.
profile_dir=$tmp/profile
mkdir -p "$profile_dir"
grep -Ev 'slurm_account:|slurm-keep-successful-logs:' "$repo/examples/snakemake/profiles/slurm/config.yaml" |
  sed 's/<partition>/wtatest/' >"$profile_dir/config.yaml"
cat >>"$profile_dir/config.yaml" <<EOF
slurm-status-command: squeue
slurm-init-seconds-before-status-checks: 2
slurm-keep-successful-logs: true
EOF
if grep -q '<' "$profile_dir/config.yaml"; then
  say "FAIL: the profile has a placeholder this test does not fill in:" >&2
  grep '<' "$profile_dir/config.yaml" >&2
  exit 1
fi

unsharded=$tmp/unsharded
status=0
"$binary" --proteins "${inputs[@]}" --references "$repo/data/wildtype/references.faa" \
  --output-dir "$unsharded" --threads 2 --catalogue "$tmp/known.tsv" --write-alignments \
  >"$tmp/unsharded.log" 2>&1 || status=$?
if [ $status -ne 0 ] && [ $status -ne 4 ]; then
  cat "$tmp/unsharded.log"
  say "FAIL: the unsharded run exited $status"
  exit 1
fi

# Writes the workflow's config for a run in directory $1.
write_config() {
  local input
  {
    echo "inputs:"
    for input in "${inputs[@]}"; do echo "  - $input"; done
    echo "references: $repo/data/wildtype/references.faa"
    echo "output_dir: $1/gathered"
    echo "shards: 3"
    echo "binary: $binary"
    echo "catalogue: $tmp/known.tsv"
    echo "write_alignments: true"
    echo "fault_hook: $tmp/fault_hook"
  } >"$1/config.yaml"
}

# Runs the workflow on the cluster in directory $1 (more snakemake arguments after it); its
# output goes to $1/snakemake.N.log. Returns snakemake's exit status.
runs=0
snake() {
  local dir=$1
  shift
  runs=$((runs + 1))
  last_log=$dir/snakemake.$runs.log
  # The profile's threads and memory are sized for real inputs; the bundled 115 targets need a
  # few MB, and any CI machine's node must be able to hold the jobs.
  (cd "$dir" && "$venv/bin/snakemake" --snakefile "$repo/examples/snakemake/Snakefile" \
    --profile "$profile_dir" --configfile "$dir/config.yaml" \
    --set-threads shard=1 --set-resources shard:mem_mb=500 shard:runtime=5 "$@") >"$last_log" 2>&1
}

# The jobs of the cluster so far: id|name (the run)|comment (rule and wildcards)|state|time|node.
jobs_table() {
  squeue --noheader --states=all --sort=i --format='%i|%j|%k|%T|%M|%N' 2>/dev/null || true
}
# How many jobs of rule shard with k=$2 are in state $1.
count_jobs() {
  jobs_table | awk -F'|' -v state="$1" -v k="$2" \
    '$4 == state && $3 ~ ("rule_shard_wildcards_" k "$") {n++} END {print n + 0}'
}

failed=0
passed=0
ok() {
  say "ok $*"
  passed=$((passed + 1))
}
fail() {
  say "FAIL $*"
  failed=$((failed + 1))
}
show_failure() {
  echo "--- $last_log"
  cat "$last_log"
  echo "--- jobs"
  jobs_table
  dump_logs
}

# Compares the unsharded run in $1 with the gathered one in $2 (water reports up to their run
# date, the manifest up to its run-specific fields, report.html without its timings lines);
# prints every difference.
compare() {
  python3 - "$1" "$2" <<'EOF'
import json, os, sys, difflib
full, gathered = sys.argv[1:]
def files(root, skip=()):
    found = set()
    for base, dirs, names in os.walk(root):
        rel = os.path.relpath(base, root)
        if rel == "." :
            dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            if not name.startswith(".snakemake"):
                found.add(os.path.normpath(os.path.join(rel, name)))
    return found
def content(path):
    with open(path) as handle:
        text = handle.read()
    if path.endswith(".water"):
        text = "".join(l for l in text.splitlines(True) if not l.startswith("# Rundate:"))
    elif os.path.basename(path) == "report.html":
        # The report's timings (wall time, threads, shards) are its run's own.
        lines = text.splitlines(True)
        begin = lines.index("<!-- timings: begin -->\n")
        end = lines.index("<!-- timings: end -->\n")
        text = "".join(lines[:begin] + lines[end + 1 :])
    elif os.path.basename(path) == "manifest.json":
        manifest = json.loads(text)
        for key in ("started_unix", "wall_time_seconds", "wall_time_seconds_max", "shards"):
            manifest.pop(key, None)
        manifest["parameters"].pop("threads")
        text = json.dumps(manifest, indent=2) + "\n"
    return text
a, b = files(full), files(gathered, skip=("shards", "logs"))
status = 0
for name in sorted(a - b):
    print(f"MISSING: {gathered}/{name}"); status = 1
for name in sorted(b - a):
    print(f"EXTRA: {gathered}/{name}"); status = 1
for name in sorted(a & b):
    x, y = content(os.path.join(full, name)), content(os.path.join(gathered, name))
    if x != y:
        status = 1
        sys.stdout.writelines(difflib.unified_diff(
            x.splitlines(True), y.splitlines(True), f"unsharded/{name}", f"gathered/{name}"))
print(f"{len(a)} files compared")
sys.exit(status)
EOF
}

# --- 1. three shards, three sbatch jobs --------------------------------------------------
case_dir=$tmp/sharded
mkdir -p "$case_dir"
write_config "$case_dir"
case_started=$SECONDS
if ! snake "$case_dir"; then
  show_failure
  fail "sharded: snakemake --executor slurm failed"
elif ! summary=$(compare "$unsharded" "$case_dir/gathered"); then
  echo "$summary"
  fail "sharded: gathered outputs differ from the unsharded run (diff above)"
else
  jobs=$(jobs_table | grep -c '|rule_shard_wildcards_[0-9]*|COMPLETED|' || true)
  if [ "$jobs" -ge 3 ]; then
    ok "sharded: $jobs sbatch jobs COMPLETED, gathered = unsharded run ($summary, $((SECONDS - case_started))s)"
  else
    jobs_table
    fail "sharded: expected 3 COMPLETED shard jobs, found $jobs"
  fi
fi

# --- 2. a failed shard, then the re-run once it is fixed ---------------------------------
case_dir=$tmp/fault
mkdir -p "$case_dir"
write_config "$case_dir"
echo always >"$tmp/faults/2"
case_started=$SECONDS
if snake "$case_dir"; then
  show_failure
  fail "fault: the run succeeded although shard 2 failed"
else
  problems=()
  grep -q 'Error in rule shard' "$last_log" || problems+=("no 'Error in rule shard'")
  [ "$(grep -c 'Error in rule shard' "$last_log")" = 1 ] || problems+=("not exactly one failed job")
  grep -q "^    log: $case_dir/gathered/logs/shard_2.log" "$last_log" || problems+=("shard 2's log not named")
  grep -q '^wildtype_align workflow failed: shard(s) 2 of 3 have no outputs' "$last_log" ||
    problems+=("no summary naming shard 2")
  [ "$(count_jobs FAILED 2)" = 1 ] || problems+=("no FAILED job for shard 2")
  for name in manifest.json alignments.tsv mutations.tsv alignments.jsonl mutations.jsonl catalogue_unobserved.tsv alignments; do
    [ ! -e "$case_dir/gathered/$name" ] || problems+=("gathered/$name exists")
  done
  [ ! -e "$case_dir/gathered/shards/2/manifest.json" ] || problems+=("shard 2 left a manifest")
  if [ ${#problems[@]} -eq 0 ]; then
    ok "fault: the run failed naming shard 2 ($(grep -m1 -o "SLURM-job '[0-9]*' failed, SLURM status is: '[A-Z]*'" "$last_log" || echo 'job failed')), no gathered output ($((SECONDS - case_started))s)"
    grep -m1 '^wildtype_align workflow failed' "$last_log" | sed 's/^/  /' 
  else
    show_failure
    fail "fault: ${problems[*]}"
  fi
fi
rm -f "$tmp/faults/2"
before=$(jobs_table | wc -l)
case_started=$SECONDS
if ! snake "$case_dir"; then
  show_failure
  fail "fault re-run: snakemake failed once the fault was gone"
elif ! summary=$(compare "$unsharded" "$case_dir/gathered"); then
  echo "$summary"
  fail "fault re-run: gathered outputs differ from the unsharded run (diff above)"
else
  new=$(jobs_table | tail -n +$((before + 1)))
  if [ "$(echo "$new" | grep -c .)" = 1 ] && echo "$new" | grep -q '|rule_shard_wildcards_2|COMPLETED|'; then
    ok "fault re-run: only shard 2 resubmitted, gathered = unsharded run ($((SECONDS - case_started))s)"
  else
    echo "$new"
    fail "fault re-run: expected one new job, shard 2, COMPLETED"
  fi
fi

# --- 3. a shard that fails once, --retries 1 ---------------------------------------------
case_dir=$tmp/retry
mkdir -p "$case_dir"
write_config "$case_dir"
echo 1 >"$tmp/faults/2"
before_failed=$(count_jobs FAILED 2)
case_started=$SECONDS
if ! snake "$case_dir" --retries 1; then
  show_failure
  fail "retry: snakemake --retries 1 failed"
elif ! summary=$(compare "$unsharded" "$case_dir/gathered"); then
  echo "$summary"
  fail "retry: gathered outputs differ from the unsharded run (diff above)"
elif [ "$(count_jobs FAILED 2)" != $((before_failed + 1)) ] || [ -f "$tmp/faults/2" ]; then
  show_failure
  fail "retry: shard 2 did not fail exactly once"
else
  ok "retry: shard 2 failed once and its second attempt completed, gathered = unsharded run ($((SECONDS - case_started))s)"
fi

echo "test_slurm: the cluster's jobs (id|name (run)|rule and wildcards|state|time|node):"
jobs_table | sed 's/^/  /'
say "$((SECONDS - started))s"
echo "slurm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
