#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer binary (Swift with AddressSanitizer and coverage, the C targets with
# AddressSanitizer and UBSan) into .build-fuzz and runs each fuzz target for FUZZ_SECONDS (default 60) on
# FUZZ_JOBS processes (default 1), starting from Fuzz/corpus/<target>/ and what earlier runs on this machine added
# (.build-fuzz/corpus/<target>/). Fails when any target crashes, hangs (10 s), makes one allocation over 2 GB or grows
# past 4 GB (AddressSanitizer keeps freed memory, so a long run of small inputs grows past 2 GB with 24 MB live); the input is
# kept in .build-fuzz/findings/<target>/ — add it to Fuzz/regressions/<target>/ when the defect is fixed.
# FUZZ_TARGETS picks targets (space-separated names, default all); FUZZ_RUNS=N runs each for N executions instead
# of a time.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
limit=(-max_total_time="$seconds")
[ -z "${FUZZ_RUNS:-}" ] || limit=(-runs="$FUZZ_RUNS")
# With -jobs, libFuzzer runs its workers with their output in fuzz-<n>.log and copies it into its own at the end.
parallel=()
[ "$jobs" -le 1 ] || parallel=(-jobs="$jobs" -workers="$jobs")
runtime=$(dirname "$(swiftc -print-target-info | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')")/clang
no_main=$(find "$runtime" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
[ -n "$no_main" ] || { echo "error: libFuzzer (libclang_rt.fuzzer_no_main) not found under $runtime" >&2; exit 1; }

swift build -c release --scratch-path .build-fuzz --product paradiffuse-fuzz \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xswiftc -parse-as-library -Xswiftc -DFUZZING \
  -Xcc -fsanitize=address,undefined -Xcc -fno-sanitize-recover=undefined \
  -Xcc -fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp \
  -Xlinker "$no_main" -Xlinker -lstdc++ 2>&1 | grep -v "warning: Cannot export" | grep -v '^$' | tail -3
binary=.build-fuzz/release/paradiffuse-fuzz

targets=${FUZZ_TARGETS:-$(PARADIFFUSE_FUZZ_TARGET=list "$binary")}
failed=()
for target in $targets; do
  corpus=.build-fuzz/corpus/$target
  findings=.build-fuzz/findings/$target
  log=.build-fuzz/logs/$target.log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  started=$SECONDS
  set +e
  PARADIFFUSE_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 "$binary" "$corpus" "Fuzz/corpus/$target" \
    "${limit[@]}" -timeout=10 -malloc_limit_mb=2048 -rss_limit_mb=4096 -artifact_prefix="$findings/" \
    -print_final_stats=1 "${parallel[@]}" >"$log" 2>&1
  status=$?
  took=$((SECONDS - started))
  set -e
  rm -f fuzz-*.log
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{sum += $2} END {print sum + 0}')
  if [ $status -eq 0 ] && ! ls "$findings" | grep -q .; then
    echo "fuzz $target: $runs executions in ${took} s, no crash"
  else
    echo "fuzz $target: FAILED after $runs executions (exit $status); inputs in $findings, log $log"
    grep -m5 -E 'ERROR|SUMMARY|Fatal error|panic' "$log" || tail -5 "$log"
    failed+=("$target")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: crashes in ${failed[*]}"; exit 1; }
