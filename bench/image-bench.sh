#!/usr/bin/env bash
# Image benchmark: Wharf's pull + unpack of a ~100 MiB image (busybox and 4 x 25 MiB of random
# bytes) from a registry on loopback vs `skopeo copy` + `umoci unpack`, fresh stores each run; then
# the disk N idle containers of it use. Needs root, runc, conmon, busybox-static, umoci, skopeo and
# docker-registry.
#   sudo bench/image-bench.sh [runs=3] [idle-containers=20]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dfrontend.skip=true -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.wharf.bench.ImageBenchmark "$@"
