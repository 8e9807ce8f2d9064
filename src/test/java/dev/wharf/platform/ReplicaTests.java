package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.WharfApplication;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.NodeProcess;
import dev.wharf.testing.Postgres;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestRegistry;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Two server replicas on one PostgreSQL and one node: either replica serves any request, a node
 * that joined through one is used by both, admission stays exact across them (10 of 40 parallel
 * creates for a team with {@code containers: 10}), and the reconciler runs on one replica at a time.
 */
@Tag("root")
class ReplicaTests {

    private static final String PASSWORD = "replica-admin-password";

    @Test
    void twoReplicasAdmitExactlyTheQuotaAndShareTheNode() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the container tests need root");
        Prerequisites.require(BusyboxLayout.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        Prerequisites.require(Postgres.available(), "no PostgreSQL: set WHARF_TEST_JDBC_URL or run a Docker engine");
        Path work = WorkDirs.create("wharf-replicas-");
        Map<String, String> database = Postgres.newSchema();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secretKey = Base64.getEncoder().encodeToString(key);
        NodeProcess node = null;
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
                ConfigurableApplicationContext a = replica(work.resolve("a"), database, secretKey);
                ConfigurableApplicationContext b = replica(work.resolve("b"), database, secretKey)) {
            Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "library/busybox:1");
            int portA = ((WebServerApplicationContext) a).getWebServer().getPort();
            int portB = ((WebServerApplicationContext) b).getWebServer().getPort();
            Http adminA = Http.to(portA).basic("admin", PASSWORD);
            Http adminB = Http.to(portB).basic("admin", PASSWORD);

            String token = adminA.post("/api/v1/nodes/join-tokens", "{}").json().get("token").asString();
            node = NodeProcess.start("node-r", work, TestRuntimes.network(), "http://127.0.0.1:" + portA, token, registry.host());
            awaitUp(adminA);
            awaitUp(adminB);

            assertThat(adminB.post("/api/v1/teams", "{\"name\":\"rush\"}").status()).isEqualTo(201);
            assertThat(adminA.put("/api/v1/teams/rush/quota", "{\"containers\":10}").status()).isEqualTo(200);
            String body = ",\"image\":\"" + registry.host() + "/library/busybox:1\",\"network\":\"none\",\"start\":false,"
                    + "\"command\":[\"/bin/sleep\",\"300\"]}";
            assertThat(adminA.post("/api/v1/teams/rush/containers", "{\"name\":\"warm\"" + body).status())
                    .as("the image is pulled once before the rush").isEqualTo(201);
            assertThat(adminB.delete("/api/v1/teams/rush/containers/warm").status()).isEqualTo(204);

            ExecutorService pool = Executors.newFixedThreadPool(20);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Http replica = i % 2 == 0 ? adminA : adminB;
                String name = "r" + i;
                answers.add(pool.submit(() -> replica.post("/api/v1/teams/rush/containers", "{\"name\":\"" + name + "\"" + body).status()));
            }
            int created = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                created += status == 201 ? 1 : 0;
                refused += status == 403 ? 1 : 0;
            }
            pool.shutdown();
            assertThat(created).as("exactly the quota, across both replicas").isEqualTo(10);
            assertThat(refused).isEqualTo(30);
            assertThat(adminA.get("/api/v1/teams/rush/containers").json()).hasSize(10);
            assertThat(adminB.get("/api/v1/teams/rush/quota").json().get("usage").get("containers").asLong()).isEqualTo(10);
            JsonNode nodes = adminB.get("/api/v1/nodes").json();
            assertThat(nodes.get(0).get("allocated").get("containers").asLong()).isEqualTo(10);

            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForList("select holder from leases where name = 'reconciler'", String.class))
                    .as("one replica holds the reconciler's lease").hasSize(1);

            // replica A's list, answered again while nothing changes, follows a change made through replica B
            JsonNode listed = adminA.get("/api/v1/teams/rush/containers").json();
            assertThat(adminA.get("/api/v1/teams/rush/containers").json()).isEqualTo(listed);
            String gone = listed.get(0).get("name").asString();
            assertThat(adminB.delete("/api/v1/teams/rush/containers/" + gone).status()).isEqualTo(204);
            assertThat(adminA.get("/api/v1/teams/rush/containers").json().findValuesAsString("name")).hasSize(9).doesNotContain(gone);

            for (JsonNode container : adminB.get("/api/v1/teams/rush/containers").json()) {
                assertThat(adminA.delete("/api/v1/teams/rush/containers/" + container.get("name").asString()).status()).isEqualTo(204);
            }
            assertThat(adminB.get("/api/v1/teams/rush/containers").json()).isEmpty();
        } finally {
            if (node != null) {
                node.close();
            }
            WorkDirs.delete(work);
        }
    }

    private static ConfigurableApplicationContext replica(Path dataDir, Map<String, String> database, String secretKey) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--wharf.mode=server", "--wharf.data-dir=" + dataDir,
                "--spring.main.banner-mode=off", "--WHARF_ADMIN_PASSWORD=" + PASSWORD, "--wharf.secrets.key=" + secretKey,
                "--wharf.node.heartbeat-interval=500ms", "--wharf.reconcile-interval=1s", "--logging.level.root=warn"));
        database.forEach((name, value) -> args.add("--" + name + "=" + value));
        return new SpringApplicationBuilder(WharfApplication.class).run(args.toArray(String[]::new));
    }

    private static void awaitUp(Http admin) throws InterruptedException {
        JsonNode nodes = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/nodes").json(), up -> up.size() == 1 && up.get(0).get("state").asString().equals("up"));
        assertThat(nodes).as(nodes.toString()).hasSize(1);
        assertThat(nodes.get(0).get("state").asString()).as(nodes.toString()).isEqualTo("up");
    }
}
