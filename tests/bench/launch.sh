#!/usr/bin/env bash
# Launch latency of /bin/true: warm SandboxRuntime vs bwrap vs a plain spawn (LaunchLatencyBench).
# Usage: tests/bench/launch.sh [-Dbench.runs=200 -Dbench.warmup=20 -Dbench.concurrent=50]
. "$(dirname "$0")/common.sh"
need bubblewrap
build
# Offline once the profile's build-helper-maven-plugin is in the local repository.
offline=()
[ -d "$HOME/.m2/repository/org/codehaus/mojo/build-helper-maven-plugin/3.6.0" ] && offline=(-o)
cd "$repo"
mvn -B -q "${offline[@]}" -pl tests -Pbench test-compile exec:exec@launch-bench "$@" | tee "$out/launch.txt"
