#!/usr/bin/env bash
# Instance cgroup cost per launch (CgroupBench): create + limits + remove vs bare mkdir/rmdir.
# Usage: tests/bench/cgroup.sh [-Dbench.cgroupRuns=500]
. "$(dirname "$0")/common.sh"
build
offline=()
[ -d "$HOME/.m2/repository/org/codehaus/mojo/build-helper-maven-plugin/3.6.0" ] && offline=(-o)
cd "$repo"
mvn -B -q "${offline[@]}" -pl tests -Pbench test-compile exec:exec@cgroup-bench "$@" | tee "$out/cgroup.txt"
