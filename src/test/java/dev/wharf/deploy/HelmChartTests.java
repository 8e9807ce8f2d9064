package dev.wharf.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import org.yaml.snakeyaml.Yaml;

/**
 * helm/wharf as an operator installs it: {@code helm lint} is clean, and {@code helm template}
 * renders a server that Kubernetes can probe and that runs non-root with its secrets from
 * Secrets, a privileged node DaemonSet with the host's cgroups and data dir, the Service, the
 * optional Ingress and bundled PostgreSQL, and NOTES that tell the first login. The helm library
 * itself runs in-process (helm-java), so this needs no helm binary and no cluster.
 */
class HelmChartTests {

    static final Path CHART = Path.of("helm/wharf");
    static final String RELEASE = "wharf";
    static final String NAMESPACE = "platform";

    @Test
    void lintIsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void appVersionIsTheProjectVersion() throws Exception {
        Matcher pomVersion = Pattern.compile("</parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(pomVersion.find()).isTrue();
        Map<String, Object> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
        assertThat(chart.get("apiVersion")).isEqualTo("v2");
        assertThat(chart.get("appVersion")).isEqualTo(pomVersion.group(1));
    }

    @Test
    void defaultsRenderANonRootServerWithProbesAndSecrets() {
        Rendered out = render(Map.of());

        Map<String, Object> deployment = out.one("Deployment", "wharf");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
        Map<String, Object> pod = map(at(deployment, "spec.template.spec"));
        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(pod, "securityContext.runAsUser")).isEqualTo(10001);
        assertThat(pod.get("serviceAccountName")).isEqualTo("wharf");
        Map<String, Object> server = container(pod, "server");
        assertThat(server.get("image")).isEqualTo("wharf:0.1.0-SNAPSHOT");
        assertThat(list(server.get("args"))).contains("--wharf.mode=server");

        assertThat(at(server, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(server, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
        assertThat(at(server, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(server, "livenessProbe.httpGet.port")).isEqualTo("http");
        assertThat(at(server, "ports")).isEqualTo(List.of(Map.of("name", "http", "containerPort", 8080, "protocol", "TCP")));

        // server mode's JVM: the image's launcher defaults, the heap a share of the pod's memory limit
        assertThat(envValue(server, "WHARF_JAVA_OPTS")).isEqualTo("-XX:MaxRAMPercentage=75");
        assertThat(at(server, "resources.requests.memory")).isEqualTo("512Mi");
        assertThat(at(server, "resources.limits.memory")).isEqualTo("1Gi");
        assertThat(at(server, "resources.limits.cpu")).isEqualTo("2");

        assertThat(at(server, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(server, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(server, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(mountPaths(server)).contains("/tmp", "/var/lib/wharf");
        assertThat(list(pod.get("volumes"))).allSatisfy(v -> assertThat(map(v)).containsKey("emptyDir"));

        // the first admin's password and the secrets key: generated once, at install, and kept
        assertThat(secretRef(server, "WHARF_ADMIN_PASSWORD")).isEqualTo("wharf-generated/admin-password");
        assertThat(secretRef(server, "WHARF_SECRETS_KEY")).isEqualTo("wharf-generated/secrets-key");
        Map<String, Object> generated = out.one("Secret", "wharf-generated");
        assertThat(map(at(generated, "metadata.annotations")))
                .containsEntry("helm.sh/hook", "pre-install").containsEntry("helm.sh/resource-policy", "keep");
        Map<String, Object> secretData = map(generated.get("data"));
        assertThat(secretData).containsOnlyKeys("admin-password", "secrets-key");
        assertThat(out.has("Secret", "wharf")).isFalse();
        assertThat(decoded(secretData, "admin-password")).hasSize(24);
        assertThat(java.util.Base64.getDecoder().decode(decoded(secretData, "secrets-key"))).hasSize(32);
        // no database configured: H2 in the data dir, so no datasource settings
        assertThat(envNames(server)).doesNotContain("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_PASSWORD");

        Map<String, Object> service = out.one("Service", "wharf");
        assertThat(at(service, "spec.type")).isEqualTo("ClusterIP");
        assertThat(at(service, "spec.ports")).isEqualTo(List.of(Map.of("name", "http", "port", 80, "targetPort", "http", "protocol", "TCP")));
        assertThat(map(at(service, "spec.selector"))).containsEntry("app.kubernetes.io/component", "server");
        assertThat(map(at(deployment, "spec.template.metadata.labels"))).containsAllEntriesOf(map(at(service, "spec.selector")));

        assertThat(at(out.one("ServiceAccount", "wharf"), "automountServiceAccountToken")).isEqualTo(false);
        assertThat(out.kinds()).doesNotContain("Ingress", "DaemonSet", "StatefulSet");
    }

    @Test
    void anExternalDatabaseComesFromItsUrlAndExistingSecret() {
        Rendered out = render(Map.of("database.url", "jdbc:postgresql://db.example:5432/wharf",
                "database.existingSecret", "wharf-db", "admin.existingSecret", "wharf-admin", "server.replicaCount", 3));

        Map<String, Object> deployment = out.one("Deployment", "wharf");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(3);
        Map<String, Object> server = container(map(at(deployment, "spec.template.spec")), "server");
        assertThat(envValue(server, "SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://db.example:5432/wharf");
        assertThat(envValue(server, "SPRING_DATASOURCE_USERNAME")).isEqualTo("wharf");
        assertThat(secretRef(server, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("wharf-db/password");
        assertThat(secretRef(server, "WHARF_ADMIN_PASSWORD")).isEqualTo("wharf-admin/password");
        assertThat(map(out.one("Secret", "wharf-generated").get("data"))).containsOnlyKeys("secrets-key");
        assertThat(out.has("Secret", "wharf")).isFalse();

        Rendered given = render(Map.of("admin.password", "a-long-admin-password", "database.url", "jdbc:postgresql://db/wharf",
                "database.password", "db-password", "secretsKey.value", "a2V5"));
        Map<String, Object> givenServer = container(map(at(given.one("Deployment", "wharf"), "spec.template.spec")), "server");
        assertThat(secretRef(givenServer, "WHARF_ADMIN_PASSWORD")).isEqualTo("wharf/admin-password");
        assertThat(secretRef(givenServer, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("wharf/database-password");
        assertThat(decoded(map(given.one("Secret", "wharf").get("data")), "admin-password")).isEqualTo("a-long-admin-password");
        assertThat(given.has("Secret", "wharf-generated")).isFalse();
    }

    @Test
    void postgresqlIngressAndNodesWhenEnabled() {
        Rendered out = render(Map.of("postgresql.enabled", true, "ingress.enabled", true, "node.enabled", true,
                "node.joinToken.value", "join-me", "ingress.className", "nginx",
                "ingress.tls[0].secretName", "wharf-tls", "ingress.tls[0].hosts[0]", "wharf.example.com",
                "node.tolerations[0].operator", "Exists", "node.nodeSelector.wharf/node", "yes"));

        // bundled PostgreSQL: a StatefulSet with a claim, its password shared with the server
        Map<String, Object> postgres = out.one("StatefulSet", "wharf-postgresql");
        Map<String, Object> db = container(map(at(postgres, "spec.template.spec")), "postgresql");
        assertThat(db.get("image")).isEqualTo("postgres:16");
        assertThat(secretRef(db, "POSTGRES_PASSWORD")).isEqualTo("wharf-generated/database-password");
        assertThat(at(map(list(at(postgres, "spec.volumeClaimTemplates")).get(0)), "spec.resources.requests.storage")).isEqualTo("8Gi");
        assertThat(at(out.one("Service", "wharf-postgresql"), "spec.ports")).asString().contains("5432");
        Map<String, Object> server = container(map(at(out.one("Deployment", "wharf"), "spec.template.spec")), "server");
        assertThat(envValue(server, "SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://wharf-postgresql:5432/wharf");
        assertThat(secretRef(server, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("wharf-generated/database-password");
        assertThat(map(out.one("Secret", "wharf-generated").get("data"))).containsKeys("database-password");
        assertThat(decoded(map(out.one("Secret", "wharf").get("data")), "node-join-token")).isEqualTo("join-me");

        Map<String, Object> ingress = out.one("Ingress", "wharf");
        assertThat(at(ingress, "spec.ingressClassName")).isEqualTo("nginx");
        Map<String, Object> rule = map(list(at(ingress, "spec.rules")).get(0));
        assertThat(rule.get("host")).isEqualTo("wharf.example.com");
        Map<String, Object> path = map(list(at(rule, "http.paths")).get(0));
        assertThat(at(path, "backend.service.name")).isEqualTo("wharf");
        assertThat(at(path, "backend.service.port.name")).isEqualTo("http");
        assertThat(at(ingress, "spec.tls")).isEqualTo(List.of(Map.of("secretName", "wharf-tls", "hosts", List.of("wharf.example.com"))));
        // the README's --set ingress.hosts[0].host=... replaces the list: the path defaults to /
        Map<String, Object> byHost = render(Map.of("ingress.enabled", true, "ingress.hosts[0].host", "wharf.test")).one("Ingress", "wharf");
        assertThat(at(map(list(at(byHost, "spec.rules")).get(0)), "http.paths"))
                .isEqualTo(List.of(Map.of("path", "/", "pathType", "Prefix", "backend", Map.of("service", Map.of("name", "wharf", "port", Map.of("name", "http"))))));

        Map<String, Object> nodes = out.one("DaemonSet", "wharf-node");
        Map<String, Object> pod = map(at(nodes, "spec.template.spec"));
        assertThat(pod.get("hostNetwork")).isEqualTo(true);
        assertThat(pod.get("hostPID")).isEqualTo(false);
        assertThat(pod.get("tolerations")).isEqualTo(List.of(Map.of("operator", "Exists")));
        assertThat(pod.get("nodeSelector")).isEqualTo(Map.of("wharf/node", "yes"));
        Map<String, Object> node = container(pod, "node");
        assertThat(node.get("image")).isEqualTo("wharf-node:0.1.0-SNAPSHOT");
        // node mode's own small heap from the image's launcher unless node.javaOpts says otherwise
        assertThat(envNames(node)).doesNotContain("WHARF_JAVA_OPTS");
        assertThat(at(node, "securityContext.privileged")).isEqualTo(true);
        assertThat(list(node.get("args"))).contains("--wharf.mode=node",
                "--wharf.node.server=http://wharf." + NAMESPACE + ".svc:80",
                "--wharf.node.join-token=$(WHARF_NODE_JOIN_TOKEN)", "--wharf.node.name=$(WHARF_NODE_NAME)",
                "--wharf.node.advertise-url=https://$(WHARF_NODE_IP):8080");
        assertThat(secretRef(node, "WHARF_NODE_JOIN_TOKEN")).isEqualTo("wharf/node-join-token");
        assertThat(mountPaths(node)).contains("/sys/fs/cgroup", "/var/lib/wharf");
        List<String> hostPaths = new ArrayList<>();
        for (Object volume : list(pod.get("volumes"))) {
            hostPaths.add((String) at(map(volume), "hostPath.path"));
        }
        assertThat(hostPaths).containsExactlyInAnyOrder("/sys/fs/cgroup", "/var/lib/wharf");
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtInstall() {
        assertThatThrownBy(() -> render(Map.of("server.replicaCount", 2)))
                .hasMessageContaining("server.replicaCount > 1 needs PostgreSQL");
        assertThatThrownBy(() -> render(Map.of("node.enabled", true)))
                .hasMessageContaining("node.enabled=true needs a join token");
    }

    @Test
    void notesTellTheFirstLogin() {
        String notes = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withDryRunOption(DryRun.CLIENT).clientOnly().call().getOutput();
        assertThat(notes).contains("user \"admin\"",
                "kubectl get secret --namespace platform wharf-generated -o jsonpath=\"{.data.admin-password}\" | base64 -d",
                "kubectl --namespace platform port-forward service/wharf 8080:80",
                "no database configured");

        String withDatabase = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .set("database.url", "jdbc:postgresql://db:5432/wharf").set("admin.existingSecret", "wharf-admin")
                .withDryRunOption(DryRun.CLIENT).clientOnly().call().getOutput();
        assertThat(withDatabase).contains("kubectl get secret --namespace platform wharf-admin -o jsonpath=\"{.data.password}\" | base64 -d")
                .doesNotContain("no database configured");
    }

    // --- rendering and reading the manifests

    record Rendered(List<Map<String, Object>> documents) {

        Map<String, Object> one(String kind, String name) {
            return documents.stream()
                    .filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata.name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
        }

        boolean has(String kind, String name) {
            return documents.stream().anyMatch(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata.name")));
        }

        List<String> kinds() {
            return documents.stream().map(d -> (String) d.get("kind")).toList();
        }
    }

    /**
     * {@code helm template} with these values. helm-java's template leaves hook resources out
     * (the helm CLI prints them), so the chart is rendered from a copy whose hook annotation is
     * renamed and renamed back in the parsed documents: the generated Secret, a pre-install
     * hook, is checked like every other object.
     */
    static Rendered render(Map<String, Object> values) {
        Path copy = copyWithHooksAsPlainResources();
        try {
            TemplateCommand template = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
            values.forEach(template::set);
            String yaml = template.call().replace(RENAMED_HOOK, HOOK);
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Object document : new Yaml().loadAll(yaml)) {
                if (document != null) {
                    documents.add(map(document));
                }
            }
            return new Rendered(documents);
        } finally {
            FileSystemUtils.deleteRecursively(copy.toFile());
        }
    }

    static final String HOOK = "\"helm.sh/hook\"";
    static final String RENAMED_HOOK = "\"test.wharf/hook\"";

    static Path copyWithHooksAsPlainResources() {
        try {
            Path copy = Files.createTempDirectory("wharf-chart");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(CHART.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.writeString(target, Files.readString(file).replace(HOOK + ":", RENAMED_HOOK + ":"));
                    }
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Object at(Map<String, Object> node, String dotted) {
        Object current = node;
        for (String key : dotted.split("\\.")) {
            current = current == null ? null : map(current).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return (Map<String, Object>) Objects.requireNonNull(node);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return (List<Object>) Objects.requireNonNull(node);
    }

    static Map<String, Object> container(Map<String, Object> podSpec, String name) {
        return list(podSpec.get("containers")).stream().map(HelmChartTests::map)
                .filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow();
    }

    static List<String> mountPaths(Map<String, Object> container) {
        return list(container.get("volumeMounts")).stream().map(m -> (String) map(m).get("mountPath")).toList();
    }

    static List<String> envNames(Map<String, Object> container) {
        return list(container.get("env")).stream().map(e -> (String) map(e).get("name")).toList();
    }

    static Map<String, Object> env(Map<String, Object> container, String name) {
        return list(container.get("env")).stream().map(HelmChartTests::map)
                .filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + envNames(container)));
    }

    static String envValue(Map<String, Object> container, String name) {
        return (String) env(container, name).get("value");
    }

    /** "secret/key" of an env var that comes from a Secret. */
    static String secretRef(Map<String, Object> container, String name) {
        Map<String, Object> ref = map(at(env(container, name), "valueFrom.secretKeyRef"));
        return ref.get("name") + "/" + ref.get("key");
    }

    static String decoded(Map<String, Object> secretData, String key) {
        return new String(java.util.Base64.getDecoder().decode((String) secretData.get(key)));
    }
}
