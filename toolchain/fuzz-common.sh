# Shared by toolchain/fuzz-briefly and toolchain/fuzz-long (sourced): builds the libFuzzer
# targets (clang, "fuzz" preset) and their seed corpora (the default build's fuzz_seeds, from the
# project's test material), and runs one target.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

fuzz_build() {
  [[ -f build/default/build.ninja ]] || cmake --preset default >/dev/null
  cmake --build --preset default --target fuzz_seeds >/dev/null
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
  mkdir -p build/fuzz/seeds build/fuzz/corpus build/fuzz/logs
  build/default/tests/fuzz/seeds/fuzz_seeds build/fuzz/seeds >/dev/null
  # Text seeds straight from the repository.
  mkdir -p build/fuzz/seeds/fuzz_scenario build/fuzz/seeds/fuzz_config
  cp tests/scenarios/*.json build/fuzz/seeds/fuzz_scenario/
  cp firmware/kiosk/kiosk.example.json build/fuzz/seeds/fuzz_config/
  export KIOSK_FUZZ_CARD="$root/build/fuzz/seeds/card.json"
}

fuzz_targets() { cat build/fuzz/fuzzers.txt; }

# fuzz_run TARGET SECONDS [RUNS]: fuzzes TARGET for SECONDS (or until RUNS executions), keeping
# what it learns in build/fuzz/corpus/TARGET; prints "TARGET executions coverage features
# seconds"; a finding fails (the reproducer is left in build/fuzz/, the log in build/fuzz/logs).
fuzz_run() {
  local target=$1 seconds=$2 runs=${3:--1}
  local corpus=build/fuzz/corpus/$target log=build/fuzz/logs/$target.log
  mkdir -p "$corpus" "build/fuzz/seeds/$target"
  local started=$SECONDS
  if ! (cd build/fuzz && ./tests/fuzz/"$target" -max_total_time="$seconds" -runs="$runs" -max_len=65536 -timeout=25 \
          -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$root/build/fuzz/$target-" \
          "corpus/$target" "seeds/$target") >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target FAILED (see $log and build/fuzz/$target-*)"
    return 1
  fi
  local execs cov ft
  execs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$log" | grep -o "[0-9]*$" || echo 0)
  cov=$(grep -o "cov: [0-9]*" "$log" | tail -1 | grep -o "[0-9]*" || echo 0)
  ft=$(grep -o "ft: [0-9]*" "$log" | tail -1 | grep -o "[0-9]*" || echo 0)
  printf "%-22s %12s executions  cov %6s  ft %7s  %5ss\n" "$target" "$execs" "$cov" "$ft" "$((SECONDS - started))"
}
