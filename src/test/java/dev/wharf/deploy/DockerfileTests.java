package dev.wharf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile read the way {@code docker build} reads it (continuations joined, comments
 * dropped, instructions per stage), since no Docker engine runs here: the default target is a
 * non-root server that Docker can health-check, the node target has what the runtime needs on
 * its host, and the build stage makes the jar with its frontend bundle.
 */
class DockerfileTests {

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String image, String name, List<Instruction> instructions) {

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        String last(String keyword) {
            List<String> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }

        String runs() {
            return String.join("\n", all("RUN"));
        }
    }

    static Map<String, Stage> stages;
    static List<String> order;

    @BeforeAll
    static void parse() throws IOException {
        stages = new LinkedHashMap<>();
        Stage current = null;
        StringBuilder line = new StringBuilder();
        for (String raw : Files.readAllLines(Path.of("Dockerfile"))) {
            String trimmed = raw.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && line.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                line.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            line.append(trimmed);
            String[] parts = line.toString().split("\\s+", 2);
            line.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                assertThat(from).as("FROM IMAGE AS NAME: " + instruction.arguments()).hasSize(3);
                assertThat(from[1]).isEqualToIgnoringCase("AS");
                current = new Stage(from[0], from[2], new ArrayList<>());
                assertThat(stages.put(current.name(), current)).as("stage names are unique").isNull();
            } else {
                assertThat(current).as("instruction before the first FROM: " + instruction).isNotNull();
                current.instructions().add(instruction);
            }
        }
        order = List.copyOf(stages.keySet());
    }

    /** A stage's effective instructions: those of the stages it starts from, then its own. */
    static Stage effective(String name) {
        Stage stage = stages.get(name);
        if (!stages.containsKey(stage.image())) {
            return stage;
        }
        List<Instruction> all = new ArrayList<>(effective(stage.image()).instructions());
        all.addAll(stage.instructions());
        return new Stage(stage.image(), name, all);
    }

    @Test
    void multiStageBuildThenRuntimeThenNodeAndServer() {
        assertThat(order).containsExactly("build", "runtime", "node", "server");
        assertThat(stages.get("build").image()).isEqualTo("maven:3.9-eclipse-temurin-17");
        assertThat(stages.get("runtime").image()).isEqualTo("eclipse-temurin:17-jre");
        assertThat(stages.get("node").image()).isEqualTo("runtime");
        assertThat(stages.get("server").image()).isEqualTo("runtime");
        // `docker build -t wharf .` builds the last stage
        assertThat(order.get(order.size() - 1)).isEqualTo("server");
    }

    @Test
    void buildStageMakesTheJarWithTheFrontend() {
        Stage build = stages.get("build");
        // pom.xml runs npm ci + esbuild during generate-resources
        assertThat(build.runs()).contains("apt-get install").contains("nodejs").contains("npm");
        assertThat(build.all("COPY")).contains("pom.xml ./", "frontend/ frontend/", "src/ src/");
        assertThat(build.runs()).contains("mvn -B -DskipTests package").doesNotContain("frontend.skip");
        assertThat(build.runs()).contains("cp target/wharf.jar /wharf.jar");
        assertThat(stages.get("runtime").all("COPY")).containsExactly("--from=build /wharf.jar /opt/wharf/wharf.jar",
                "bin/wharf-java /opt/wharf/wharf-java");
    }

    @Test
    void serverIsNonRootWithPortVolumeAndHealthCheck() {
        Stage server = effective("server");
        String user = server.last("USER");
        assertThat(user).isEqualTo("10001:10001");
        assertThat(server.last("EXPOSE")).isEqualTo("8080");
        assertThat(server.last("VOLUME")).isEqualTo("[\"/var/lib/wharf\"]");
        assertThat(server.all("ENV")).contains("WHARF_DATA_DIR=/var/lib/wharf");
        assertThat(server.runs()).contains("useradd --system --uid 10001").contains("chown 10001:10001 /var/lib/wharf");
        // the same launcher as ./wharf run: the mode's JVM options, the class data sharing archive made at build
        assertThat(server.last("ENTRYPOINT")).isEqualTo("[\"/opt/wharf/wharf-java\", \"/opt/wharf/wharf.jar\"]");
        assertThat(server.runs()).contains("/opt/wharf/wharf-java --prepare-cds /opt/wharf/wharf.jar server || true");
        assertThat(stages.get("server").all("ENV")).contains("WHARF_JAVA_OPTS=-XX:MaxRAMPercentage=75");
        assertThat(server.last("CMD")).isEqualTo("[\"--wharf.mode=server\"]");
        // the health check's tool is installed in the image, not assumed
        assertThat(server.last("HEALTHCHECK")).contains("CMD curl -fsS http://127.0.0.1:8080/actuator/health");
        assertThat(server.runs()).containsPattern("apt-get install -y --no-install-recommends curl");
    }

    @Test
    void nodeRunsAsRootWithRuncConmonCniAndIptables() {
        Stage node = effective("node");
        assertThat(node.last("USER")).isEqualTo("root");
        assertThat(String.join("\n", stages.get("node").all("RUN")))
                .contains("runc", "conmon", "containernetworking-plugins", "iptables", "iproute2");
        assertThat(node.last("CMD")).isEqualTo("[\"--wharf.mode=node\"]");
        assertThat(node.last("ENTRYPOINT")).contains("/opt/wharf/wharf-java", "/opt/wharf/wharf.jar");
        // node mode's own small heap (bin/wharf-java), not the server's share of the memory limit
        assertThat(node.all("ENV")).noneMatch(env -> env.startsWith("WHARF_JAVA_OPTS"));
        assertThat(node.runs()).contains("/opt/wharf/wharf-java --prepare-cds /opt/wharf/wharf.jar node all || true");
    }

    @Test
    void theRunLinesAreDocumented() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String docs = Files.readString(Path.of("docs/deployment.md"));
        for (String text : List.of(dockerfile, docs)) {
            assertThat(text).contains("docker build -t wharf .", "docker build --target node -t wharf-node .",
                    "--privileged", "--cgroupns=host", "-v /sys/fs/cgroup:/sys/fs/cgroup:rw",
                    "-v /var/lib/wharf:/var/lib/wharf", "--network=host");
        }
    }

    @Test
    void contextLeavesOutBuildOutputAndGit() throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("target/", ".git/", "frontend/node_modules/")
                .doesNotContain("src/", "pom.xml", "frontend/");
    }
}
