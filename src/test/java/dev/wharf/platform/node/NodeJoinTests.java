package dev.wharf.platform.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.WharfApplication;
import dev.wharf.platform.pki.CertificateAuthority;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import dev.wharf.testing.Http;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A server without a runtime of its own ({@code server} mode): admins make join tokens, a node
 * joins once with one and gets its credential; bad, reused and misused tokens change nothing,
 * and neither tokens nor credentials reach the log or the audit trail.
 */
@ExtendWith(OutputCaptureExtension.class)
class NodeJoinTests {

    @TempDir
    Path dataDir;

    @Test
    void aJoinTokenLetsOneNodeJoinOnceAndAdminsCanRemoveIt(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WharfApplication.class).run("--server.port=0",
                "--wharf.mode=server", "--wharf.data-dir=" + dataDir, "--spring.main.banner-mode=off",
                "--WHARF_ADMIN_PASSWORD=join-test-password", "--wharf.node.heartbeat-interval=200ms")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            Http admin = Http.to(port).basic("admin", "join-test-password");
            Http anonymous = Http.to(port);
            assertThat(admin.get("/api/v1/nodes").json()).as("server mode has no runtime of its own").isEmpty();
            admin.post("/api/v1/teams", "{\"name\":\"solo\"}");
            Http.Response noNode = admin.post("/api/v1/teams/solo/containers", "{\"name\":\"c\",\"image\":\"busybox:1\"}");
            assertThat(noNode.status()).as(noNode.toString()).isEqualTo(503);
            assertThat(noNode.json().get("detail").asString()).isEqualTo("no node is available to run containers");

            admin.post("/api/v1/users", "{\"name\":\"plain\",\"password\":\"tidal-ember-4821\"}");
            assertThat(Http.to(port).basic("plain", "tidal-ember-4821").post("/api/v1/nodes/join-tokens", "{}").status()).isEqualTo(403);
            assertThat(admin.post("/api/v1/nodes/join-tokens", "{\"expiresInMinutes\":0}").status()).isEqualTo(400);
            Http.Response created = admin.post("/api/v1/nodes/join-tokens", "{\"expiresInMinutes\":5}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String token = created.json().get("token").asString();
            assertThat(token).startsWith("wharf-join-").hasSizeGreaterThan(40);

            Http.Response wrong = anonymous.post("/api/v1/nodes/join", join("wharf-join-nope", "node-a", "https://127.0.0.1:9"));
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(401);
            assertThat(wrong.json().get("detail").asString()).contains("unknown, used or expired");
            assertThat(anonymous.post("/api/v1/nodes/join", join(token, "local", "https://127.0.0.1:9")).status()).isEqualTo(400);
            Http.Response badUrl = anonymous.post("/api/v1/nodes/join", join(token, "node-a", "ftp://x"));
            assertThat(badUrl.status()).isEqualTo(400);
            assertThat(badUrl.json().get("errors").get(0).get("field").asString()).isEqualTo("url");
            assertThat(admin.get("/api/v1/nodes").json()).as("refused joins leave no node").isEmpty();

            Http.Response plain = anonymous.post("/api/v1/nodes/join", join(token, "node-a", "http://127.0.0.1:9"));
            assertThat(plain.status()).as(plain.toString()).isEqualTo(400);
            assertThat(plain.json().get("errors").get(0).get("field").asString()).isEqualTo("url");
            assertThat(plain.json().get("detail").asString()).contains("url must be https", "wharf.node.allow-plain-http");
            Http.Response noRequest = anonymous.post("/api/v1/nodes/join",
                    "{\"token\":\"" + token + "\",\"name\":\"node-a\",\"url\":\"https://127.0.0.1:9\"}");
            assertThat(noRequest.status()).as(noRequest.toString()).isEqualTo(400);
            assertThat(noRequest.json().get("errors").get(0).get("field").asString()).isEqualTo("csr");
            assertThat(admin.get("/api/v1/nodes").json()).as("refused joins leave no node and keep the token").isEmpty();

            Http.Response joined = anonymous.post("/api/v1/nodes/join", join(token, "node-a", "https://127.0.0.1:9"));
            assertThat(joined.status()).as(joined.toString()).isEqualTo(201);
            X509Certificate ca = CertificateAuthority.readCertificate(joined.json().get("ca").asString());
            X509Certificate nodeCertificate = CertificateAuthority.readCertificate(joined.json().get("certificate").asString());
            nodeCertificate.verify(ca.getPublicKey());
            assertThat(nodeCertificate.getSubjectAlternativeNames()).as("made for the host the server dials").containsExactly(List.of(7, "127.0.0.1"));
            assertThat(nodeCertificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth only
            assertThat(nodeCertificate.getBasicConstraints()).isEqualTo(-1);
            assertThat(joined.header("Location")).isEqualTo("/api/v1/nodes/node-a");
            String credential = joined.json().get("credential").asString();
            assertThat(credential).hasSizeGreaterThan(40);
            assertThat(anonymous.post("/api/v1/nodes/join", join(token, "node-b", "https://127.0.0.1:9")).status())
                    .as("a token is single-use").isEqualTo(401);

            JsonNode nodes = admin.get("/api/v1/nodes").json();
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).get("name").asString()).isEqualTo("node-a");
            assertThat(nodes.get(0).get("url").asString()).isEqualTo("https://127.0.0.1:9");
            assertThat(nodes.get(0).get("state").asString()).as("nothing answers on port 9").isIn("joining", "down");
            assertThat(nodes.get(0).toString()).doesNotContain(credential);

            String second = admin.post("/api/v1/nodes/join-tokens", "{}").json().get("token").asString();
            assertThat(anonymous.post("/api/v1/nodes/join", join(second, "node-a", "https://127.0.0.1:9")).status())
                    .as("names are unique").isEqualTo(409);
            Http.Response secondJoin = anonymous.post("/api/v1/nodes/join", join(second, "node-b", "https://127.0.0.1:10"));
            assertThat(secondJoin.status()).as("a join refused for its name gives the token back").isEqualTo(201);
            assertThat(secondJoin.json().get("ca").asString()).as("one CA signs every node").isEqualTo(joined.json().get("ca").asString());

            String shared = admin.post("/api/v1/nodes/join-tokens", "{\"nodes\":2}").json().get("token").asString();
            assertThat(anonymous.post("/api/v1/nodes/join", join(shared, "ds-1", "https://127.0.0.1:11")).status()).isEqualTo(201);
            assertThat(anonymous.post("/api/v1/nodes/join", join(shared, "ds-2", "https://127.0.0.1:12")).status()).isEqualTo(201);
            assertThat(anonymous.post("/api/v1/nodes/join", join(shared, "ds-3", "https://127.0.0.1:13")).status())
                    .as("a token for two nodes lets two join").isEqualTo(401);
            assertThat(admin.post("/api/v1/nodes/join-tokens", "{\"nodes\":0}").status()).isEqualTo(400);
            assertThat(admin.delete("/api/v1/nodes/ds-1").status()).isEqualTo(204);
            assertThat(admin.delete("/api/v1/nodes/ds-2").status()).isEqualTo(204);

            Http.Response placed = admin.post("/api/v1/teams/solo/containers", "{\"name\":\"c\",\"image\":\"busybox:1\"}");
            assertThat(placed.status()).isEqualTo(503);
            assertThat(placed.json().get("detail").asString()).startsWith("no node has room for this container: node node-a is ");

            assertThat(Http.to(port).basic("plain", "tidal-ember-4821").delete("/api/v1/nodes/node-a").status()).isEqualTo(403);
            assertThat(admin.delete("/api/v1/nodes/node-a").status()).isEqualTo(204);
            assertThat(admin.delete("/api/v1/nodes/node-a").status()).isEqualTo(404);
            assertThat(admin.get("/api/v1/nodes").json()).extracting(n -> n.get("name").asString()).containsExactly("node-b");

            Http browser = Http.withCookies(port);
            browser.form("/login", "username=admin&password=join-test-password&_csrf="
                    + Http.csrf(browser.get("/login").body()));
            String page = browser.get("/admin/nodes").body();
            assertThat(page).contains("node-b", "https://127.0.0.1:10", "Make a join token");
            Http.Response made = browser.form("/admin/nodes/join-tokens", "_csrf=" + Http.csrf(page));
            assertThat(made.status()).isEqualTo(302);
            String shown = browser.get("/admin/nodes").body();
            assertThat(shown).contains("--wharf.mode=node --wharf.node.server=http://localhost:" + port + " --wharf.node.join-token=wharf-join-");
            String pageToken = shown.replaceAll("(?s).*--wharf.node.join-token=(wharf-join-[A-Za-z0-9_-]+).*", "$1");
            assertThat(anonymous.post("/api/v1/nodes/join", join(pageToken, "from-page", "https://127.0.0.1:14")).status())
                    .as("the token on the page works").isEqualTo(201);
            assertThat(browser.get("/admin/nodes").body()).as("shown once").doesNotContain(pageToken);

            // a node URL that leads to a TLS listener whose certificate another CA signed: never trusted, never sent the credential
            CertificateAuthority other = CertificateAuthority.create("impostor CA", java.time.Instant.now(), java.time.Duration.ofDays(1));
            List<String> impostorSaw = new java.util.concurrent.CopyOnWriteArrayList<>();
            com.sun.net.httpserver.HttpsServer impostor = impostor(other, impostorSaw);
            try {
                String impostorUrl = "https://127.0.0.1:" + impostor.getAddress().getPort();
                String impostorToken = admin.post("/api/v1/nodes/join-tokens", "{}").json().get("token").asString();
                assertThat(anonymous.post("/api/v1/nodes/join", join(impostorToken, "impostor", impostorUrl)).status()).isEqualTo(201);
                JsonNode seen = await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ofMillis(250)).pollInterval(Duration.ofMillis(250))
                        .until(() -> node(admin.get("/api/v1/nodes").json(), "impostor"),
                                impostorNode -> impostorNode != null && impostorNode.get("problems").toString().contains("not answering"));
                assertThat(seen).as("the impostor is listed").isNotNull();
                assertThat(seen.get("state").asString()).as(seen.toString()).isNotEqualTo("up");
                assertThat(seen.get("problems").toString()).as(seen.toString()).contains("not answering");
                assertThat(impostorSaw).as("no request (and no credential) ever reached it").isEmpty();
                assertThat(admin.delete("/api/v1/nodes/impostor").status()).isEqualTo(204);
            } finally {
                impostor.stop(0);
            }

            String audit = admin.get("/api/v1/audit?limit=1000").body();
            assertThat(audit).contains("POST /api/v1/nodes/join", "DELETE /api/v1/nodes/{node}").doesNotContain(token, credential);
            assertThat(output.getAll()).doesNotContain(token, second, credential);
        }
    }

    private static String join(String token, String name, String url) {
        return "{\"token\":\"" + token + "\",\"name\":\"" + name + "\",\"url\":\"" + url + "\",\"csr\":"
                + tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(csr(name)) + "}";
    }

    private static JsonNode node(JsonNode nodes, String name) {
        for (JsonNode node : nodes) {
            if (node.get("name").asString().equals(name)) {
                return node;
            }
        }
        return null;
    }

    /** An HTTPS listener on loopback serving a certificate for 127.0.0.1 that {@code ca} signed; records every request's credential. */
    private static com.sun.net.httpserver.HttpsServer impostor(CertificateAuthority ca, List<String> saw) throws Exception {
        KeyPair keys = keys();
        X509Certificate certificate = ca.signServer(csr("impostor", keys), "impostor", "127.0.0.1", java.time.Instant.now(),
                java.time.Duration.ofDays(1));
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("impostor", keys.getPrivate(), "pw".toCharArray(), new java.security.cert.Certificate[] {certificate});
        javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, "pw".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(factory.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            saw.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"ready\":true,\"problems\":[],\"cpus\":64,\"memoryBytes\":1099511627776}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A node's certificate request, as a node makes it (EC P-256, signed with its key). */
    static String csr(String name) {
        try {
            return csr(name, keys());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String csr(String name, KeyPair keys) {
        try {
            var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(request);
            }
            return pem.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
