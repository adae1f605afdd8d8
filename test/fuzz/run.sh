#!/usr/bin/env bash
# A fuzzing campaign over the targets (make fuzz): each runs under libFuzzer at the lowest
# priority, from its committed seeds (test/fuzz/corpus/NAME, written by seeds.ts), the
# committed finds of earlier campaigns (test/fuzz/found/NAME: a few inputs that added
# coverage, and the input of every crash fixed) and what campaigns here found
# (build/fuzz/corpus-NAME), until FUZZ_RUNS executions or FUZZ_SECONDS,
# whichever comes first; the targets run one after the other (FUZZ_JOBS=2: side by side).
# Prints executions, seconds and executions per second per target; a finding stops the
# target, leaves its input in build/fuzz/NAME-crash-* and fails the campaign.
#   test/fuzz/run.sh [TARGET...]       (default: boot alloc)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECONDS_BUDGET=${FUZZ_SECONDS:-600}
RUNS=${FUZZ_RUNS:-10000000}
JOBS=${FUZZ_JOBS:-1}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(boot alloc)

# Input sizes: the largest boot information captured from real firmware is OVMF's, 7,688
# bytes (test/boot/fixtures), and GRUB's on BIOS machines are about 1.6 KiB; 8 KiB holds
# either, or a map of about 340 entries. The boot code has no size threshold of its own (every
# array is sized from the map), so larger inputs exercise no other code and only cost time
# (a 1,000-entry map, 24 KiB, is a Node test's business: test/boot). An allocator input of
# 512 bytes is 128 operations on a 256-chunk window, enough to fill it (48 live allocations of up to 8).
declare -A MAX_LEN=([boot]=8192 [alloc]=512)

campaign() {
  local name=$1
  local work=build/fuzz/corpus-$name
  local log=build/fuzz/$name.log
  mkdir -p "$work"
  nice -n 19 "build/fuzz/${name}_fuzz" -runs="$RUNS" -max_total_time="$SECONDS_BUDGET" -max_len="${MAX_LEN[$name]:-4096}" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="build/fuzz/$name-" "$work" "test/fuzz/corpus/$name" "test/fuzz/found/$name" >"$log" 2>&1
  local status=$?
  local execs secs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  echo "fuzz $name: ${execs:-?} executions in ${secs:-?} s, ${rate:-?} exec/s, corpus $(ls "$work" | wc -l) inputs, status $status (log $log)"
  if [ $status -ne 0 ]; then grep -E "keel fuzz|ERROR|SUMMARY" "$log" | head -5; fi
  return $status
}

failed=0
if [ "$JOBS" -gt 1 ]; then
  for t in "${TARGETS[@]}"; do campaign "$t" & done
  for _ in "${TARGETS[@]}"; do wait -n || failed=1; done
else
  for t in "${TARGETS[@]}"; do campaign "$t" || failed=1; done
fi
exit $failed
