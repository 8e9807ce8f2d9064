# Wharf container image: one jar, three modes (see docs/architecture.md, "One artifact, three modes").
#
# Targets (build, runtime: internal)
#   server (default, the last stage)  control plane only; non-root (uid 10001); point it at PostgreSQL.
#       docker build -t wharf .
#       docker run -d --name wharf -p 8080:8080 \
#         -e SPRING_DATASOURCE_URL=jdbc:postgresql://db:5432/wharf \
#         -e SPRING_DATASOURCE_USERNAME=wharf -e SPRING_DATASOURCE_PASSWORD=... \
#         -e WHARF_ADMIN_PASSWORD=... -e WHARF_SECRETS_KEY="$(head -c 32 /dev/urandom | base64)" \
#         wharf
#
#   node              runtime service (node mode) or all-in-one (all mode): runs containers with
#                     runc + conmon, so it runs as root, privileged, in the host's cgroup namespace
#                     and network, with the host's cgroup tree and a host data dir:
#       docker build --target node -t wharf-node .
#       docker run -d --name wharf-node --privileged --cgroupns=host --network=host \
#         -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v /var/lib/wharf:/var/lib/wharf \
#         wharf-node                          # node mode (default CMD of this target)
#       docker run ... (same flags) wharf-node --wharf.mode=all   # one host, H2, dashboard on :8080
#
# Any Spring property can be appended as an argument (--server.port=9090) or given as an
# environment variable (WHARF_MODE, WHARF_DATA_DIR, SPRING_DATASOURCE_URL, ...).
# JVM options: bin/wharf-java sets them for the mode (docs/benchmarks.md says why); WHARF_JAVA_OPTS adds
# to them and wins (-e WHARF_JAVA_OPTS=-Xmx512m). The class data sharing archive is made at build time.

# ---- build: Maven + JDK 17, plus Node.js/npm for the frontend bundle (pom.xml runs npm ci + esbuild)
FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# dependencies first, so a source change does not download them again
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline || true
COPY frontend/ frontend/
COPY src/ src/
RUN mvn -B -DskipTests package && cp target/wharf.jar /wharf.jar

# ---- runtime: small JRE image, non-root, the jar; the server and node targets start from it
FROM eclipse-temurin:17-jre AS runtime
# curl only for the HEALTHCHECK below
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 wharf \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/wharf --shell /usr/sbin/nologin wharf \
 && mkdir -p /var/lib/wharf \
 && chown 10001:10001 /var/lib/wharf
COPY --from=build /wharf.jar /opt/wharf/wharf.jar
COPY bin/wharf-java /opt/wharf/wharf-java
ENV WHARF_DATA_DIR=/var/lib/wharf
VOLUME ["/var/lib/wharf"]
WORKDIR /var/lib/wharf
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/actuator/health || exit 1
ENTRYPOINT ["/opt/wharf/wharf-java", "/opt/wharf/wharf.jar"]
CMD ["--wharf.mode=server"]

# ---- node: the runtime's host tools (Ubuntu's packages, built from Debian's); root, run privileged (see above)
FROM runtime AS node
USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      runc conmon containernetworking-plugins iptables iproute2 e2fsprogs mount \
 && rm -rf /var/lib/apt/lists/*
# class data sharing archives for the modes this image runs, made by the image's own JVM (an archive
# loads only into the JVM that made it); a failure leaves none and Wharf starts from the jar, slower
RUN /opt/wharf/wharf-java --prepare-cds /opt/wharf/wharf.jar node all || true
# a node serves TLS with the certificate Wharf's CA gave it at join; the health probe needs no client certificate
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD curl -fsSk https://127.0.0.1:8080/actuator/health || exit 1
CMD ["--wharf.mode=node"]

# ---- server: the default target (last stage), control plane only, uid 10001
FROM runtime AS server
USER root
RUN /opt/wharf/wharf-java --prepare-cds /opt/wharf/wharf.jar server || true
USER 10001:10001
# a server container has the pod or container to itself: its heap may take three quarters of the memory limit
ENV WHARF_JAVA_OPTS=-XX:MaxRAMPercentage=75
CMD ["--wharf.mode=server"]
