package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.Loopback;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Team networks over the REST API against the real runtime and CNI plugins: a team's containers
 * reach each other by name and {@code name.project}, another team's cannot reach them by address,
 * a published port answers from the host on 127.0.0.1, a taken host port is a 409 that leaves
 * nothing behind, the admin's host port range holds, and {@code network: none} has loopback only.
 * Host ports teams may use are 1-60000 here: an admin widened the range below 1024 (the default is 1024-65535).
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class NetworkApiTests {

    static final String PASSWORD = "tidal-ember-4821";
    static TestNode env;
    static String image;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    final List<String> teams = new ArrayList<>();
    Http admin;

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-net-api-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
        properties.add("wharf.network.host-ports", () -> "1-60000"); // widened below 1024 by the admin, narrowed above 60000
    }

    @AfterEach
    void deleteContainers() {
        for (String team : teams) {
            for (JsonNode c : admin.get("/api/v1/teams/" + team + "/containers").json()) {
                admin.delete("/api/v1/teams/" + team + "/containers/" + c.get("name").asString() + "?force=true");
            }
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    /** A new team with a member; returns the member's client. */
    private Http team(String team) {
        node = runtime;
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-member\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-member", "{\"role\":\"member\"}");
        teams.add(team);
        return Http.to(port).basic(team + "-member", PASSWORD);
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static Response create(Http as, String team, String name, String body) {
        return as.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image + "\"" + body + "}");
    }

    private static final String PONG_SERVER = ",\"command\":[\"/bin/nc\",\"-ll\",\"-p\",\"9000\",\"-e\",\"/bin/echo\",\"pong\"]";
    private static final String SLEEPER = ",\"command\":[\"/bin/sleep\",\"300\"]";

    /** What {@code host:9000} answers from inside {@code container}, retrying while the server starts. */
    private static String ask(Http as, String team, String container, String host) {
        return ask(as, team, container, host, 25);
    }

    private static String ask(Http as, String team, String container, String host, int tries) {
        String script = "for i in $(seq 1 " + tries + "); do out=$(nc -w 2 " + host + " 9000 </dev/null) && [ -n \"$out\" ] && echo \"$out\" && exit 0;"
                + " sleep 0.2; done; exit 1";
        Response exec = as.post("/api/v1/teams/" + team + "/containers/" + container + "/exec",
                "{\"command\":[\"/bin/sh\",\"-c\",\"" + script.replace("\"", "\\\"") + "\"],\"timeoutSeconds\":30}");
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        return exec.json().get("stdout").asString().strip();
    }

    @Test
    void containersReachTheirTeamByNameAndProjectButNotAnotherTeam() throws Exception {
        String shopTeam = name("shop");
        Http shop = team(shopTeam);
        assertThat(shop.post("/api/v1/teams/" + shopTeam + "/projects", "{\"name\":\"store\"}").status()).isEqualTo(201);
        Response web = create(shop, shopTeam, "web", ",\"project\":\"store\"" + PONG_SERVER);
        assertThat(web.status()).as(web.toString()).isEqualTo(201);
        assertThat(web.json().get("network").asString()).isEqualTo("team");
        String webIp = web.json().get("ipAddress").asString();
        assertThat(webIp).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(create(shop, shopTeam, "client", SLEEPER).status()).isEqualTo(201);

        // a reconcile pass or two later, the row still has the address (list and single GET)
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> webIp.equals(shop.get("/api/v1/teams/" + shopTeam + "/containers/web").json().get("ipAddress").asString()));
        assertThat(shop.get("/api/v1/teams/" + shopTeam + "/containers/web").json().get("ipAddress").asString()).isEqualTo(webIp);
        assertThat(shop.get("/api/v1/teams/" + shopTeam + "/containers").json().findValuesAsString("ipAddress")).contains(webIp);
        assertThat(ask(shop, shopTeam, "client", "web")).isEqualTo("pong");
        assertThat(ask(shop, shopTeam, "client", "web.store")).isEqualTo("pong");

        String otherTeam = name("other");
        Http other = team(otherTeam);
        Response stranger = create(other, otherTeam, "stranger", SLEEPER);
        assertThat(stranger.status()).isEqualTo(201);
        assertThat(ask(other, otherTeam, "stranger", webIp, 2)).isEmpty();
        assertThat(ask(other, otherTeam, "stranger", "web", 2)).isEmpty();
        assertThat(ask(shop, shopTeam, "client", webIp)).as("and the team's own still gets through").isEqualTo("pong");
    }

    @Test
    void aPublishedPortAnswersOnLoopbackAndATakenOneIsRefusedWithNothingLeft() throws Exception {
        String teamName = name("pub");
        Http member = team(teamName);
        int hostPort = Loopback.freePort(20000, 60000);
        String ports = ",\"ports\":[{\"containerPort\":9000,\"hostPort\":" + hostPort + ",\"hostIp\":\"127.0.0.1\"}]";
        Response web = create(member, teamName, "web", PONG_SERVER + ports);
        assertThat(web.status()).as(web.toString()).isEqualTo(201);
        assertThat(web.json().get("ports").get(0).get("hostPort").asInt()).isEqualTo(hostPort);
        assertThat(web.json().get("ports").get(0).get("protocol").asString()).as("defaults filled in").isEqualTo("tcp");
        assertThat(Loopback.read(hostPort)).isEqualTo("pong");

        Response again = create(member, teamName, "web2", PONG_SERVER + ports);
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("127.0.0.1:" + hostPort + "/tcp").contains("already published");
        assertThat(member.get("/api/v1/teams/" + teamName + "/containers/web2").status()).isEqualTo(404);
        assertThat(member.get("/api/v1/teams/" + teamName + "/quota").json().get("usage").get("containers").asLong()).isEqualTo(1);

        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Loopback.freePort(20000, 60000)));
            Response busy = create(member, teamName, "web3", PONG_SERVER
                    + ",\"ports\":[{\"containerPort\":9000,\"hostPort\":" + taken.getLocalPort() + "}]");
            assertThat(busy.status()).as(busy.toString()).isEqualTo(409);
            assertThat(busy.json().get("detail").asString()).contains("already in use");
        }
        assertThat(runtime.list()).hasSize(1);
    }

    @Test
    void hostPortsOutsideTheAdminsRangeAndBadNetworksAreRefusedAtTheField() {
        String teamName = name("range");
        Http member = team(teamName);
        Response high = create(member, teamName, "high", SLEEPER + ",\"ports\":[{\"containerPort\":80,\"hostPort\":61000}]");
        assertThat(high.status()).isEqualTo(400);
        assertThat(high.body()).contains("ports[0].hostPort").contains("1-60000");
        Response noneWithPorts = create(member, teamName, "none", SLEEPER + ",\"network\":\"none\","
                + "\"ports\":[{\"containerPort\":80,\"hostPort\":30000}]");
        assertThat(noneWithPorts.status()).isEqualTo(400);
        assertThat(noneWithPorts.body()).contains("network none");
        Response unknown = create(member, teamName, "odd", SLEEPER + ",\"network\":\"host\"");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("\\\"none\\\"");
        assertThat(member.get("/api/v1/teams/" + teamName + "/containers").json()).isEmpty();
    }

    @Test
    void aPrivilegedHostPortIsPublishedWhenTheAdminWidenedTheRange() throws Exception {
        String teamName = name("low");
        Http member = team(teamName);
        int low = freePrivilegedPort();
        Response created = create(member, teamName, "low", PONG_SERVER
                + ",\"ports\":[{\"containerPort\":9000,\"hostPort\":" + low + ",\"hostIp\":\"127.0.0.1\"}]");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(Loopback.read(low)).isEqualTo("pong");
    }

    /** A port below 1024 that nothing on loopback uses now. */
    private static int freePrivilegedPort() throws IOException {
        for (int port = 1023 - new java.util.Random().nextInt(100); port > 800; port--) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IOException("no free port below 1024 on loopback");
    }

    @Test
    void networkNoneGivesLoopbackOnly() {
        String teamName = name("alone");
        Http member = team(teamName);
        Response alone = create(member, teamName, "alone", SLEEPER + ",\"network\":\"none\"");
        assertThat(alone.status()).as(alone.toString()).isEqualTo(201);
        assertThat(alone.json().get("network").asString()).isEqualTo("none");
        assertThat(alone.json().get("ipAddress").isNull()).isTrue();
        Response links = member.post("/api/v1/teams/" + teamName + "/containers/alone/exec", "{\"command\":[\"ls\",\"/sys/class/net\"]}");
        assertThat(links.json().get("stdout").asString().strip()).isEqualTo("lo");
    }

    @Test
    void anAdminTurnsATeamsOutboundTrafficOffAndTheNodeFollowsAtOnce() throws Exception {
        String teamName = name("quiet");
        Http member = team(teamName);
        assertThat(create(member, teamName, "c", SLEEPER).status()).isEqualTo(201);
        assertThat(member.get("/api/v1/teams/" + teamName + "/quota").json().get("outbound").asBoolean()).isTrue();
        assertThat(member.put("/api/v1/teams/" + teamName + "/quota", "{\"outbound\":false}").status()).isEqualTo(403);

        Response off = admin.put("/api/v1/teams/" + teamName + "/quota", "{\"outbound\":false}");
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(off.json().get("outbound").asBoolean()).isFalse();
        // the only team of this test with outbound traffic off: its bridge's new outgoing connections are dropped
        String prefix = env.network.bridgePrefix();
        java.util.regex.Pattern blockRule = java.util.regex.Pattern.compile("-i (" + prefix + "\\d+) ! -o \\1 -m conntrack --ctstate NEW");
        java.util.regex.Matcher blocked = blockRule.matcher(dev.wharf.testing.Commands.run(List.of("iptables", "-w", "-S")));
        assertThat(blocked.find()).isTrue();
        String bridge = blocked.group(1);

        // a limits change that does not mention outbound leaves it as it is
        assertThat(admin.put("/api/v1/teams/" + teamName + "/quota", "{\"containers\":5}").json().get("outbound").asBoolean()).isFalse();
        assertThat(admin.put("/api/v1/teams/" + teamName + "/quota", "{\"outbound\":true}").json().get("outbound").asBoolean()).isTrue();
        assertThat(dev.wharf.testing.Commands.run(List.of("iptables", "-w", "-S"))).doesNotContainPattern(blockRule);

        // a deleted team's bridge and rules go from the node
        assertThat(admin.delete("/api/v1/teams/" + teamName + "/containers/c?force=true").status()).isEqualTo(204);
        assertThat(dev.wharf.testing.Commands.run(List.of("ip", "-o", "link"))).contains(" " + bridge + ":");
        assertThat(admin.delete("/api/v1/teams/" + teamName).status()).isEqualTo(204);
        teams.remove(teamName);
        assertThat(dev.wharf.testing.Commands.run(List.of("ip", "-o", "link"))).doesNotContain(" " + bridge + ":");
        assertThat(dev.wharf.testing.Commands.run(List.of("iptables-save"))).doesNotContain(" " + bridge + " ");
    }


}
