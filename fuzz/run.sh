#!/usr/bin/env bash
# Runs one fuzz target under AFL++ for N minutes:  fuzz/run.sh TARGET MINUTES [WORK_DIR]
# Targets: response decoding robots url hocon (see Crawler.Fuzz/Program.cs). Needs afl++ (apt-get install afl++)
# and the SharpFuzz tool (dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0). The harness is published
# to WORK_DIR/bin and Crawler.Http and Crawler.Core are instrumented there (never the build output); findings go
# to WORK_DIR/TARGET/default/{crashes,hangs}; the last line says how many executions ran and what was found.
# Replay a finding:  dotnet WORK_DIR/bin/Crawler.Fuzz.dll TARGET FILE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?target: response decoding robots url hocon}"
minutes="${2:?minutes}"
work="${3:-/tmp/crawler-fuzz}"
export PATH="$PATH:$HOME/.dotnet/tools"

python3 "$here/seeds.py"
mkdir -p "$work"
rm -rf "$work/bin-$target"
dotnet publish "$here/Crawler.Fuzz" -c Release -o "$work/bin-$target" -v q -nologo >"$work/$target.publish.log" 2>&1 || { echo "$target: publish failed (see $work/$target.publish.log)"; exit 1; }
for dll in Crawler.Http.dll Crawler.Core.dll; do
  sharpfuzz "$work/bin-$target/$dll" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
resume=()
[ -d "$work/$target/default/queue" ] && resume=(-i -) || resume=(-i "$here/corpus/$target")
afl-fuzz "${resume[@]}" -o "$work/$target" -V $((minutes * 60)) -t 5000 -m none \
  -- dotnet "$work/bin-$target/Crawler.Fuzz.dll" "$target" >"$work/$target.log" 2>&1 || true

stats="$work/$target/default/fuzzer_stats"
execs=$(awk -F': *' '/^execs_done/ {print $2}' "$stats")
crashes=$(ls "$work/$target/default/crashes" 2>/dev/null | grep -vc README || true)
hangs=$(ls "$work/$target/default/hangs" 2>/dev/null | grep -vc README || true)
paths=$(awk -F': *' '/^corpus_count/ {print $2}' "$stats")
echo "$target: $minutes min, $execs executions, $paths inputs in the queue, $crashes crashes, $hangs hangs"
