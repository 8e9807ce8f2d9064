#!/usr/bin/env bash
# Wharf's footprint: time from `java` to /actuator/health UP, and resident memory once idle, in
# all-in-one and node mode, started the way `./wharf run` starts it (bin/wharf-java: the mode's JVM
# options and the class data sharing archive) beside a plain `java -jar` with the JVM's defaults,
# interleaved, so both see the same host load. Median of N runs each.
#
#   sudo bench/footprint-bench.sh [runs=5] [settle seconds=15]
#
#   BENCH_JAR        the jar (default target/wharf.jar; built by ./wharf build)
#   BENCH_BASELINE   JVM options of the baseline (default: none, the JVM's own sizing)
#   BENCH_NO_BASELINE=1  leave the plain `java -jar` out
#   BENCH_BEFORE_JAR, BENCH_BEFORE_LAUNCHER  a third column, "before": another build and its own
#                    bin/wharf-java (e.g. of the main branch), started the same way, interleaved with
#                    the others, to measure a change against what it changes
#
# Each start gets its own data dir (removed at the end), a free port, the runtime under a cgroup
# root and bridge prefix of its own and an admin password, so it never meets another Wharf on the
# host. Node mode needs a joined node: the script first starts an all-in-one server, makes a join
# token and lets one node join; every node run then starts from a copy of that node's credential
# (a restart, as after a reboot; the join itself is not timed). Stops only what it started, by pid.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

RUNS=${1:-5}
SETTLE=${2:-15}
JAR=${BENCH_JAR:-target/wharf.jar}
BASELINE_OPTS=${BENCH_BASELINE:-}
BEFORE_JAR=${BENCH_BEFORE_JAR:-}
BEFORE_LAUNCHER=${BENCH_BEFORE_LAUNCHER:-bin/wharf-java}
[ -f "$JAR" ] || { echo "no $JAR: run ./wharf build first" >&2; exit 1; }
KINDS=()
[ "${BENCH_NO_BASELINE:-}" = 1 ] || KINDS+=(baseline)
if [ -n "$BEFORE_JAR" ]; then
    [ -f "$BEFORE_JAR" ] && [ -x "$BEFORE_LAUNCHER" ] || { echo "no $BEFORE_JAR or $BEFORE_LAUNCHER" >&2; exit 1; }
    KINDS+=(before)
fi
KINDS+=(wharf)

SCRATCH=$(mktemp -d /var/tmp/wharf-footprint.XXXXXX)
chmod 755 "$SCRATCH"   # container users traverse the data dir; a 0700 parent leaves the runtime unavailable
PIDS=()
TAG=fp$$
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$SCRATCH"
    # the cgroups the runtimes may have made under their own root (empty once they stopped)
    find /sys/fs/cgroup -depth -type d -path "*/wharf-$TAG*" -exec rmdir {} + 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# start KIND DATA PORT MODE EXTRA... -> sets STARTED_PID; KIND is "baseline" or "wharf"
start() {
    local kind=$1 data=$2 port=$3 mode=$4
    shift 4
    local args=(--wharf.mode="$mode" --server.port="$port" --server.address=127.0.0.1 --wharf.data-dir="$data"
        --wharf.runtime.cgroup-root="wharf-$TAG" --wharf.runtime.network.bridge-prefix="$TAG"
        --spring.main.banner-mode=off "$@")
    mkdir -p "$data"
    if [ "$kind" = baseline ]; then
        # shellcheck disable=SC2086
        WHARF_ADMIN_PASSWORD=bench-password java $BASELINE_OPTS -jar "$JAR" "${args[@]}" >"$data.log" 2>&1 &
    elif [ "$kind" = before ]; then
        WHARF_ADMIN_PASSWORD=bench-password WHARF_JAVA_OPTS="" "$BEFORE_LAUNCHER" "$BEFORE_JAR" "${args[@]}" >"$data.log" 2>&1 &
    else
        WHARF_ADMIN_PASSWORD=bench-password WHARF_JAVA_OPTS="" bin/wharf-java "$JAR" "${args[@]}" >"$data.log" 2>&1 &
    fi
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

# wait_up PID PORT T0 SCHEME -> prints ms from T0 to UP, or fails (a node serves TLS: -k for this local probe only)
wait_up() {
    local pid=$1 port=$2 t0=$3 scheme=$4
    for _ in $(seq 1 3000); do
        if curl -fsk --max-time 1 "$scheme://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; then
            echo $(($(now_ms) - t0))
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

kib() { awk -v k="$2" '$1 == k":" {print $2}' "$1" 2>/dev/null; }

# one KIND MODE -> "startup_ms rss_kib pss_kib"
one() {
    local kind=$1 mode=$2 n=$3
    local data="$SCRATCH/$kind-$mode-$n" port
    port=$(free_port)
    if [ "$mode" = node ]; then
        mkdir -p "$data" && cp -a "$SCRATCH/node-template/node" "$data/node"
    fi
    local t0
    t0=$(now_ms)
    start "$kind" "$data" "$port" "$mode" "${NODE_ARGS[@]}"
    local pid=$STARTED_PID ms
    if ! ms=$(wait_up "$pid" "$port" "$t0" "$([ "$mode" = node ] && echo https || echo http)"); then
        echo "$kind $mode: did not come up; log:" >&2
        tail -20 "$data.log" >&2
        stop "$pid"
        return 1
    fi
    sleep "$SETTLE"
    # the java process itself (bin/wharf-java execs it, so the pid is the same)
    local rss pss
    rss=$(kib "/proc/$pid/status" VmRSS)
    pss=$(kib "/proc/$pid/smaps_rollup" Pss)
    stop "$pid"
    echo "$ms $rss $pss"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# --- the node template: a server, a join token, one node that joins once
echo "preparing: class data sharing archives (if not there yet), a server and a joined node" >&2
if [ -n "$BEFORE_JAR" ]; then
    "$BEFORE_LAUNCHER" --prepare-cds "$BEFORE_JAR" all node || echo "before: no class data sharing archive" >&2
fi
NODE_ARGS=()
server_port=$(free_port)
start wharf "$SCRATCH/server" "$server_port" all
server_pid=$STARTED_PID
wait_up "$server_pid" "$server_port" "$(now_ms)" http >/dev/null || { tail -30 "$SCRATCH/server.log" >&2; exit 1; }
token=$(curl -fs -u admin:bench-password -H 'Content-Type: application/json' -d '{"nodes": 1}' \
    "http://127.0.0.1:$server_port/api/v1/nodes/join-tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
join_port=$(free_port)
start wharf "$SCRATCH/join" "$join_port" node --wharf.node.server="http://127.0.0.1:$server_port" \
    --wharf.node.join-token="$token" --wharf.node.name="$TAG" --wharf.node.advertise-url="https://127.0.0.1:$join_port"
join_pid=$STARTED_PID
wait_up "$join_pid" "$join_port" "$(now_ms)" https >/dev/null || { tail -30 "$SCRATCH/join.log" >&2; exit 1; }
stop "$join_pid"
stop "$server_pid"
mkdir -p "$SCRATCH/node-template" && cp -a "$SCRATCH/join/node" "$SCRATCH/node-template/node"

declare -A MS RSS PSS
for n in $(seq 1 "$RUNS"); do
    for mode in all node; do
        for kind in "${KINDS[@]}"; do
            if out=$(one "$kind" "$mode" "$n"); then
                read -r ms rss pss <<<"$out"
                MS[$kind-$mode]+="$ms "
                RSS[$kind-$mode]+="$rss "
                PSS[$kind-$mode]+="$pss "
                printf 'run %d %-8s %-4s start %6d ms  RSS %4d MiB  PSS %4d MiB  (load %s)\n' "$n" "$kind" "$mode" "$ms" $((rss / 1024)) $((pss / 1024)) "$(cut -d' ' -f1 /proc/loadavg)" >&2
            fi
        done
    done
done

echo
echo "Wharf footprint, $RUNS runs each, median (settle ${SETTLE}s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-36s %14s %12s %12s\n' "" "start → UP" "RSS idle" "PSS idle"
for mode in all node; do
    for kind in "${KINDS[@]}"; do
        case "$kind" in
            baseline) label="$mode, java -jar ${BASELINE_OPTS:-(JVM defaults)}" ;;
            before) label="$mode, before ($(basename "$BEFORE_JAR"))" ;;
            *) label="$mode, bin/wharf-java" ;;
        esac
        ms=$(tr ' ' '\n' <<<"${MS[$kind-$mode]:-}" | grep . | median)
        rss=$(tr ' ' '\n' <<<"${RSS[$kind-$mode]:-}" | grep . | median)
        pss=$(tr ' ' '\n' <<<"${PSS[$kind-$mode]:-}" | grep . | median)
        printf '%-36s %11s ms %8s MiB %8s MiB\n' "$label" "$ms" \
            "$(awk -v k="$rss" 'BEGIN {if (k == "-") print "-"; else printf "%.0f", k / 1024}')" \
            "$(awk -v k="$pss" 'BEGIN {if (k == "-") print "-"; else printf "%.0f", k / 1024}')"
    done
done
