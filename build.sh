#!/usr/bin/env bash
# Build, test and run the crawler with the .NET SDK alone.
#   ./build.sh build            restore and build everything (Release)
#   ./build.sh test             run every test project; ends with one line "N passed, N failed"
#   ./build.sh run -- ARGS      run the console host with ARGS (e.g. ./build.sh run -- --json http://host/)
#   ./build.sh demo [ARGS]      serve the sample planet farm on 127.0.0.1 and crawl it
#   ./build.sh publish          the crawler as a ReadyToRun executable in artifacts/crawler (fast start-up)
#   ./build.sh bench [ARGS]     benchmarks: inproc [RUNS] (default), whole [RUNS] (vs the HttpClient baseline,
#                               whole processes; publishes both first), claims (the seed's three claims)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

verb="${1:-build}"
[ $# -gt 0 ] && shift

count_results() {
  # Sums the counters of every TRX file in $1 and prints "N passed, N failed".
  local dir="$1" passed=0 failed=0 p f
  for trx in "$dir"/*.trx; do
    [ -e "$trx" ] || continue
    p=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]\+')
    f=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]\+')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  done
  echo "$passed $failed"
}

case "$verb" in
  build)
    dotnet build Crawler.sln -c Release
    ;;
  test)
    results=$(mktemp -d)
    dotnet test Crawler.sln --logger trx --results-directory "$results"
    rc=$?
    read -r passed failed < <(count_results "$results")
    # A test host that crashed leaves no counters behind: never report that as green.
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    rm -rf "$results"
    echo "$passed passed, $failed failed"
    [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
    ;;
  run)
    [ "${1:-}" = "--" ] && shift
    dotnet run --project src/Crawler -c Release -- "$@"
    ;;
  demo)
    dotnet run --project src/Crawler -c Release -- demo "$@"
    ;;
  publish)
    dotnet publish src/Crawler -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/crawler
    ;;
  bench)
    if [ "${1:-}" = "whole" ]; then
      dotnet publish src/Crawler -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/crawler >/dev/null &&
      dotnet publish bench/Crawler.Baseline -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/baseline >/dev/null ||
      exit 1
    fi
    dotnet run --project bench/Crawler.Bench -c Release -- "$@"
    ;;
  *)
    echo "usage: ./build.sh [build|test|run -- ARGS|demo [ARGS]|publish|bench [inproc|whole|claims] [RUNS]]" >&2
    exit 2
    ;;
esac
