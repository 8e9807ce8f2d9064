#!/usr/bin/env bash
# Where a start's time goes: starts Wharf once with Spring's step recorder (dev.wharf.bench.StartupProfile),
# with the JVM options of its mode (bin/wharf-java --print-options), prints the steps that took longest
# (bean creations by their own time, the context's phases), then stops it. No class data sharing archive
# (the classes come from target/classes), so the total is longer than a start through bin/wharf-java;
# the shares are what it is for. A throwaway data dir, no runc (nothing on the host is touched), no port
# but a free one on 127.0.0.1.
#   bench/startup-profile.sh [all|node] [more Spring arguments...]     (-Dprofile.top=N in BENCH_JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
shift || true
mvn -B -q -Dfrontend.skip=true -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/startup.classpath >/dev/null
data=$(mktemp -d /var/tmp/wharf-startup.XXXXXX)
trap 'rm -rf "$data"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
args=(--wharf.mode="$mode" --server.address=127.0.0.1 --server.port="$port" --wharf.data-dir="$data/data"
    --wharf.runtime.runc=wharf-startup-profile-no-runc --spring.main.banner-mode=off --logging.level.root=warn)
if [ "$mode" = node ]; then
    args+=(--wharf.node.advertise-url="http://127.0.0.1:$port" --wharf.node.allow-plain-http=true)
fi
# shellcheck disable=SC2046,SC2086
WHARF_ADMIN_PASSWORD=startup-profile-only MALLOC_ARENA_MAX=2 java $(bin/wharf-java --print-options "$mode") ${BENCH_JAVA_OPTS:-} \
    -cp "target/classes:target/test-classes:$(cat target/startup.classpath)" dev.wharf.bench.StartupProfile "${args[@]}" "$@"
