#!/usr/bin/env bash
# REST API benchmark against a real Wharf server (a child JVM on 127.0.0.1, busybox from a registry
# on loopback): create+start -> running latency vs bare `runc run -d`; GET of a team's container list
# with up to 1,000 containers (created with "start": false for a bounded time), timed with a minimal
# kept-alive HTTP client after 20 s of untimed GETs, and with the JDK's HttpClient beside; 200 concurrent
# clients doing mixed reads for 30 s. Needs root, runc, conmon, busybox-static, umoci, skopeo and docker-registry.
#   sudo bench/api-bench.sh [runs=50] [list-containers=1000] [populate-seconds=180] [clients=200] [mixed-seconds=30]
# The server gets the JVM options `./wharf run` gives an all-in-one host (bin/wharf-java --print-options all);
# BENCH_SERVER_JAVA_OPTS adds JVM options after them (they win), e.g. "-Xlog:gc:file=/tmp/gc.log".
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dfrontend.skip=true -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.wharf.bench.ApiBenchmark "$@"
