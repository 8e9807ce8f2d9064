#!/usr/bin/env bash
# A container's whole cycle through the REST API against a real Wharf server (a child JVM on 127.0.0.1, busybox from a
# registry on loopback), interleaved with its baselines: POST start:true of /bin/true until GET shows exited vs bare
# `runc run` (runc spec's default bundle, and a copy of the bundle Wharf wrote) and `podman run --rm --network none`;
# SIGKILL of a container's process until GET shows exited; DELETE ?force=true of a running container vs bare
# `runc kill` + `runc delete -f` + `umount`. Needs root, runc, conmon, busybox-static, umoci, skopeo and docker-registry;
# installs Debian's podman when it is missing (its column is skipped, with the reason, when it cannot run).
#   sudo bench/cycle-bench.sh [runs=50]
# The server gets the JVM options `./wharf run` gives an all-in-one host (bin/wharf-java --print-options all);
# BENCH_SERVER_JAVA_OPTS adds JVM options after them (they win), e.g. "-XX:StartFlightRecording=filename=/tmp/c.jfr".
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v podman >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman >/dev/null \
    || echo "podman could not be installed; its column will be skipped"
fi
mvn -B -q -Dfrontend.skip=true -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.wharf.bench.CycleBenchmark "$@"
