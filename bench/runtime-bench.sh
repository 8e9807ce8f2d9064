#!/usr/bin/env bash
# Runtime benchmark: Wharf's create+start+exit of /bin/true vs bare `runc run`, and the host
# memory each idle container costs (conmon's PSS). Needs root, runc, conmon and busybox-static.
#   sudo bench/runtime-bench.sh [runs=50] [idle-containers=50]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dfrontend.skip=true -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.wharf.bench.RuntimeBenchmark "$@"
