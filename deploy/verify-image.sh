#!/usr/bin/env bash
# Builds the repository's Dockerfile and smoke-runs its two images without a Docker engine and
# without a container registry: buildah (daemonless) builds from local stand-ins for the two base
# images, made from a Debian bookworm debootstrap and tagged with the names the Dockerfile uses.
#
#   sudo deploy/verify-image.sh            # from anywhere; root; needs the network for apt, Maven and npm
#
# - stand-ins (kept in buildah storage and reused on the next run; remove them to rebuild):
#     docker.io/library/maven:3.9-eclipse-temurin-17   bookworm + openjdk-17-jdk-headless, maven, curl
#     docker.io/library/eclipse-temurin:17-jre         bookworm + openjdk-17-jre-headless
#   The real images are Ubuntu-based; Debian bookworm has every package the Dockerfile installs.
#   The stand-ins also trust the host's local CAs (/usr/local/share/ca-certificates), for hosts
#   whose egress goes through a TLS-inspecting proxy; the built images inherit them.
# - builds: `buildah bud --pull=never --network host --format docker --layers` of the default
#   target (-t wharf) and of --target node (-t wharf-node); the built images are kept.
# - checks: image configs (user, port, healthcheck, entrypoint, cmd); the server image answers
#   /actuator/health as uid 10001 on H2 in its data dir; the node image has runc, conmon, the CNI
#   plugins in /usr/lib/cni, iptables and iproute2.
# Host network only (no CNI, no iptables changes, no daemon). The Debian mirror is the host's
# (read from /etc/apt/sources.list*), or WHARF_DEBIAN_MIRROR. Working containers and temp dirs
# are removed on exit. Prints PASS/FAIL per check; exit status 1 when any check failed.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
NICE=(nice -n 19 ionice -c3)
SUITE=bookworm
BASE=localhost/wharf-verify/debian:${SUITE}-minbase
MAVEN_IMG=docker.io/library/maven:3.9-eclipse-temurin-17
JRE_IMG=docker.io/library/eclipse-temurin:17-jre
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
JAVA_HOME_DIR=/usr/lib/jvm/java-17-openjdk-${ARCH}

[ "$(id -u)" = 0 ] || { echo "verify-image: run as root" >&2; exit 2; }

CONTAINERS=()
BG_PID=
TMP=$(mktemp -d /tmp/wharf-verify.XXXXXX)
RESULTS=()
FAILED=0

cleanup() {
    set +e
    if [ -n "$BG_PID" ] && kill -0 "$BG_PID" 2>/dev/null; then
        stop_tree "$BG_PID"
    fi
    for c in "${CONTAINERS[@]}"; do
        buildah rm "$c" >/dev/null 2>&1
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }
check() { # check NAME CMD...: records PASS/FAIL, never exits
    local name=$1
    shift
    if "$@" >>"$TMP/checks.log" 2>&1; then
        RESULTS+=("PASS  $name")
    else
        RESULTS+=("FAIL  $name")
        FAILED=1
    fi
}
descendants() { # all descendant pids of $1, depth first
    local p
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$p"
        descendants "$p"
    done
}
stop_tree() { # TERM the java (or else every) descendant of $1, then $1 itself, each by pid
    local root=$1 p found=
    for p in $(descendants "$root"); do
        if [ "$(ps -o comm= -p "$p" 2>/dev/null)" = java ]; then
            kill -TERM "$p" 2>/dev/null && found=1
        fi
    done
    [ -n "$found" ] || kill -TERM "$root" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$root" 2>/dev/null || break; sleep 1; done
    kill -0 "$root" 2>/dev/null && kill -KILL "$root" 2>/dev/null
    wait "$root" 2>/dev/null || true
}
new_container() { # new_container NAME IMAGE: a working container, removed on exit
    buildah rm "$1" >/dev/null 2>&1 || true
    buildah from --pull=never --name "$1" "$2" >/dev/null
    CONTAINERS+=("$1")
}
have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }

host_mirror() { # the host's Debian mirror for $SUITE, from deb822 .sources or one-line .list files
    local m=
    m=$(awk -v suite="$SUITE" 'BEGIN { RS = "" } {
            n = split($0, l, "\n"); u = ""; s = 0; t = 0
            for (i = 1; i <= n; i++) {
                if (l[i] ~ /^URIs:/) { split(l[i], a, /[ \t]+/); u = a[2] }
                if (l[i] ~ /^Suites:/ && l[i] ~ ("[ \t]" suite "([ \t]|$)")) s = 1
                if (l[i] ~ /^Types:.*[ \t]deb([ \t]|$)/) t = 1
            }
            if (u != "" && s && t) { print u; exit }
        }' /etc/apt/sources.list.d/*.sources 2>/dev/null) || true
    if [ -z "$m" ]; then
        m=$(awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /:\/\// && $(i + 1) == suite) { print $i; exit } }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null) || true
    fi
    echo "$m"
}

ensure_tools() {
    local missing=()
    command -v buildah >/dev/null || missing+=(buildah)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]}"
        "${NICE[@]}" apt-get update -q
        DEBIAN_FRONTEND=noninteractive "${NICE[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

make_base() { # bookworm minbase, debootstrapped straight into a scratch container
    have_image "$BASE" && return
    local mirror=${WHARF_DEBIAN_MIRROR:-$(host_mirror)} mnt f= s
    [ -n "$mirror" ] || { echo "verify-image: no Debian $SUITE mirror in /etc/apt/sources.list*; set WHARF_DEBIAN_MIRROR" >&2; exit 2; }
    log "debootstrap --variant=minbase $SUITE (host's mirror)"
    new_container wharf-verify-base scratch
    mnt=$(buildah mount wharf-verify-base)
    "${NICE[@]}" debootstrap --variant=minbase "$SUITE" "$mnt" "$mirror" >"$TMP/debootstrap.log" 2>&1 \
        || { tail -20 "$TMP/debootstrap.log" >&2; exit 1; }
    # the host's Debian sources (with updates and security) become the stand-ins' apt sources
    for s in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        if [ -f "$s" ] && grep -q "$SUITE" "$s" && grep -q '/debian' "$s"; then
            case $s in
                /etc/apt/sources.list) cp "$s" "$mnt/etc/apt/sources.list"; f=list ;;
                *) cp "$s" "$mnt/etc/apt/sources.list.d/$(basename "$s")"; f=${f:-dir} ;;
            esac
        fi
    done
    if [ "$f" = dir ]; then rm -f "$mnt/etc/apt/sources.list"; fi
    # the host's local CAs (e.g. a TLS-inspecting egress proxy's), so that apt, Maven and npm in the
    # stand-ins and in the build reach what the host reaches; the real base images have none of these
    mkdir -p "$mnt/usr/local/share/ca-certificates"
    for s in /usr/local/share/ca-certificates/*.crt; do [ -f "$s" ] && cp "$s" "$mnt/usr/local/share/ca-certificates/"; done
    # as Debian's own container images: apt keeps no downloaded packages
    printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
        'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$mnt/etc/apt/apt.conf.d/docker-clean"
    rm -rf "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/cache/apt/*.bin "$mnt"/var/lib/apt/lists/*
    buildah umount wharf-verify-base >/dev/null
    buildah config --env LANG=C.UTF-8 --cmd /bin/bash --label dev.wharf.verify.base=debian-bookworm-stand-in wharf-verify-base
    buildah commit --quiet --format docker --rm wharf-verify-base "$BASE" >/dev/null
}

make_standin() { # make_standin IMAGE "ENV=VALUE ..." PACKAGES...
    local image=$1 env=() e
    for e in $2; do env+=(--env "$e"); done
    shift 2
    have_image "$image" && { log "reusing stand-in $image"; return; }
    make_base
    log "stand-in $image: $*"
    new_container wharf-verify-standin "$BASE"
    "${NICE[@]}" buildah run --network host wharf-verify-standin -- sh -c \
        "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $* && apt-get clean && rm -rf /var/lib/apt/lists/*" \
        >"$TMP/standin.log" 2>&1 || { tail -20 "$TMP/standin.log" >&2; exit 1; }
    buildah config --env JAVA_HOME="$JAVA_HOME_DIR" "${env[@]}" --label dev.wharf.verify.base=debian-bookworm-stand-in wharf-verify-standin
    buildah commit --quiet --format docker --rm wharf-verify-standin "$image" >/dev/null
}

config() { buildah inspect --type image "$1" | jq '.Docker.config'; }
jq_true() { config "$1" | jq -e "$2"; }

START=$SECONDS
ensure_tools
make_standin "$MAVEN_IMG" "MAVEN_HOME=/usr/share/maven NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" openjdk-17-jdk-headless maven ca-certificates curl
make_standin "$JRE_IMG" "" openjdk-17-jre-headless ca-certificates

log "buildah bud -t wharf (default target)"
BUD=(buildah bud --force-rm --pull=never --network host --format docker --layers -f "$REPO/Dockerfile")
check "build: default target -> wharf" "${NICE[@]}" "${BUD[@]}" -t wharf "$REPO"
log "buildah bud --target node -t wharf-node"
check "build: --target node -> wharf-node" "${NICE[@]}" "${BUD[@]}" --target node -t wharf-node "$REPO"

if have_image wharf; then
    check "wharf: User 10001:10001" jq_true wharf '.User == "10001:10001"'
    check "wharf: ExposedPorts 8080/tcp" jq_true wharf '.ExposedPorts | has("8080/tcp")'
    check "wharf: Healthcheck curl /actuator/health" jq_true wharf '.Healthcheck.Test | join(" ") | test("curl .*/actuator/health")'
    check "wharf: Entrypoint wharf-java /opt/wharf/wharf.jar" jq_true wharf '.Entrypoint == ["/opt/wharf/wharf-java","/opt/wharf/wharf.jar"]'
    check "wharf: WHARF_JAVA_OPTS=-XX:MaxRAMPercentage=75" jq_true wharf '.Env | index("WHARF_JAVA_OPTS=-XX:MaxRAMPercentage=75") != null'
    check "wharf: Cmd --wharf.mode=server" jq_true wharf '.Cmd == ["--wharf.mode=server"]'
    check "wharf: Volume /var/lib/wharf" jq_true wharf '.Volumes | has("/var/lib/wharf")'

    PORT=18080
    while ss -Hltn "sport = :$PORT" | grep -q .; do PORT=$((PORT + 1)); done
    log "smoke run: server mode as uid 10001 on :$PORT (host network)"
    new_container wharf-verify-server wharf
    # the image's entrypoint and cmd, as the image's user, plus the port; data dir /var/lib/wharf (the volume)
    timeout 600 buildah run --network host --user 10001:10001 wharf-verify-server -- \
        /opt/wharf/wharf-java /opt/wharf/wharf.jar --wharf.mode=server --server.port="$PORT" \
        >"$TMP/server.log" 2>&1 &
    BG_PID=$!
    up=
    for _ in $(seq 300); do
        if curl -fsS "http://127.0.0.1:$PORT/actuator/health" >"$TMP/health.json" 2>/dev/null; then up=1; break; fi
        kill -0 "$BG_PID" 2>/dev/null || break
        sleep 1
    done
    check "wharf: /actuator/health UP (server mode)" grep -q '"status":"UP"' "$TMP/health.json"
    JAVA_PID=$(for p in $(descendants "$BG_PID"); do [ "$(ps -o comm= -p "$p")" = java ] && echo "$p"; done | head -1) || true
    check "wharf: java runs as uid 10001" test "$(ps -o uid= -p "${JAVA_PID:-0}" 2>/dev/null | tr -d ' ')" = 10001
    check "wharf: H2 under the data dir (no PostgreSQL URL)" grep -q 'jdbc:h2:file:/var/lib/wharf/db/wharf' "$TMP/server.log"
    check "wharf: HEALTHCHECK's curl works inside the image" \
        buildah run --network host wharf-verify-server -- curl -fsS "http://127.0.0.1:$PORT/actuator/health"
    [ -n "$up" ] || { log "server did not answer; last lines:"; tail -30 "$TMP/server.log" >&2; }
    stop_tree "$BG_PID"
    BG_PID=
    SECS_UP=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$TMP/server.log" | head -1 || true)
    [ -z "$SECS_UP" ] || log "$SECS_UP"
fi

if have_image wharf-node; then
    check "wharf-node: User root" jq_true wharf-node '.User == "root"'
    check "wharf-node: Cmd --wharf.mode=node" jq_true wharf-node '.Cmd == ["--wharf.mode=node"]'
    check "wharf-node: Entrypoint java -jar" jq_true wharf-node '.Entrypoint[2:] == ["-jar","/opt/wharf/wharf.jar"]'
    new_container wharf-verify-node wharf-node
    nrun() { buildah run --network host wharf-verify-node -- "$@"; }
    check "wharf-node: runc --version" nrun runc --version
    check "wharf-node: conmon --version" nrun conmon --version
    check "wharf-node: /usr/lib/cni/bridge (wharf.runtime.network.cni-path)" nrun test -x /usr/lib/cni/bridge
    check "wharf-node: iptables, ip" nrun sh -c 'iptables --version && ip -V'
    check "wharf-node: java 17 and the jar" nrun sh -c 'java -version 2>&1 | grep -q "version \"17" && test -s /opt/wharf/wharf.jar'
fi

echo
echo "verify-image: $((SECONDS - START))s"
buildah images --format '{{.Name}}:{{.Tag}}  {{.Size}}' | grep -E '/(wharf|wharf-node|maven|eclipse-temurin):' || true
printf '%s\n' "${RESULTS[@]}"
if [ "$FAILED" = 0 ]; then echo "PASS"; else echo "FAIL"; echo "-- checks' output (last lines):"; tail -40 "$TMP/checks.log"; fi
exit "$FAILED"
