package dev.wharf.runtime.remote;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.RuntimeServiceContractTests;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.runtime.node.JoinedNodeFiles;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.TestRegistry;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.NodeTrust;
import dev.wharf.platform.pki.CertificateAuthority;
import java.time.Instant;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The runtime contract through a node: a Spring context in {@code node} mode on a loopback port
 * (real runc + conmon underneath) and {@link RemoteRuntime} in front of it. Needs root; runs for
 * real in CI.
 */
@Tag("root")
class RemoteRuntimeTests extends RuntimeServiceContractTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final String CREDENTIAL = "node-credential-" + UUID.randomUUID();
    static final NetworkSettings NETWORK = TestRuntimes.network();
    static Path work;
    static Path dataDir;
    static Path rootfs;
    static ConfigurableApplicationContext node;
    static URI url;
    static RemoteRuntime runtime;
    /** Wharf's CA for this node, and the control plane's TLS (its client certificate, trusting that CA only) */
    static final CertificateAuthority authority = CertificateAuthority.create("test CA", Instant.now(), Duration.ofDays(1));
    static final NodeTrust trust = trust(authority);
    /** a caller with the control plane's client certificate (the credential is what its tests vary) */
    static final HttpClient http = RemoteRuntime.newHttpClient(trust.tls());
    /** the node's own certificate and keys (a node's, signed by the same CA, but for serving only) */
    static java.security.cert.X509Certificate nodeCertificate;
    static java.security.KeyPair nodeKeys;
    static Path layout;
    static TestRegistry registry;
    /** An internal service the node may reach only because an admin listed it in wharf.registries.private. */
    static dev.wharf.testing.CountingListener listedPrivate;
    /** The archive of the image the contract's containers run on (a node takes no directory root filesystem)... */
    static Path contractArchive;
    /** ... imported for each team that runs one (a team runs only images it holds). */
    static final java.util.Map<Long, Rootfs.Image> contractImages = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void startNode() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Prerequisites.require(root, "the runtime tests need root");
        Prerequisites.require(TestRuntimes.runcAndConmonInstalled(),
                "runc and conmon are not installed");
        Prerequisites.require(BusyboxRootfs.available(), "busybox-static is not installed");
        Prerequisites.require(BusyboxLayout.available(), "umoci and skopeo are not installed");
        work = WorkDirs.create("wharf-node-test-");
        rootfs = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
        dataDir = Files.createDirectories(work.resolve("data"));
        if (BusyboxLayout.available() && TestRegistry.available()) {
            layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
            registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "team/busybox:1");
        }
        JoinedNodeFiles.writeCredential(dataDir, CREDENTIAL);
        listedPrivate = new dev.wharf.testing.CountingListener();
        JoinedNodeFiles.Identity identity = JoinedNodeFiles.storeIdentity(dataDir, authority, "test-node", "127.0.0.1");
        nodeCertificate = identity.certificate();
        nodeKeys = identity.keys();
        // command-line arguments: they outrank application.yml (builder properties would not)
        node = new SpringApplicationBuilder(WharfApplication.class).run(
                "--wharf.mode=node",
                "--wharf.data-dir=" + dataDir,
                "--wharf.runtime.cgroup-root=" + CGROUP_ROOT,
                "--wharf.runtime.log-max-bytes=1048576",
                "--wharf.runtime.network.pool=" + NETWORK.pool(),
                "--wharf.runtime.network.bridge-prefix=" + NETWORK.bridgePrefix(),
                "--server.address=127.0.0.1",
                "--server.port=0",
                "--wharf.registries.insecure=" + (registry == null ? "" : registry.host()),
                "--wharf.registries.private=" + listedPrivate.host(),
                "--spring.main.banner-mode=off");
        assertThat(node.getEnvironment().getProperty("wharf.runtime.data-dir")).isEqualTo(dataDir.toString());
        url = URI.create("https://127.0.0.1:" + node.getEnvironment().getProperty("local.server.port"));
        runtime = RemoteRuntime.connect(url, CREDENTIAL, trust);
        assertThat(runtime.status().problems()).isEmpty();
        contractArchive = contractArchive();
    }

    /** The busybox image with a config of its own (so its digest is no other test's), as an OCI archive. */
    private static Path contractArchive() throws Exception {
        Path own = BusyboxLayout.create(Files.createDirectories(work.resolve("contract-image")));
        Commands.run(List.of("umoci", "config", "--image", own + ":" + BusyboxLayout.AMD64, "--tag", "contract",
                "--config.label", "wharf.test=contract"));
        Path archive = work.resolve("contract.tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + own + ":contract", "oci-archive:" + archive));
        return archive;
    }

    @Override
    protected Rootfs rootfsSpec(long team) {
        return contractImages.computeIfAbsent(team, t -> {
            try (java.io.InputStream in = Files.newInputStream(contractArchive)) {
                return new Rootfs.Image(runtime.importImage(t, in).digest());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    protected String missingRootfsRefusal() {
        return "images only";
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null && dataDir.toString().equals(node.getEnvironment().getProperty("wharf.runtime.data-dir"))) {
            LocalRuntime local = node.getBean(LocalRuntime.class);
            TestRuntimes.removeAll(local);
        }
        if (node != null) {
            node.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (listedPrivate != null) {
            listedPrivate.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        WorkDirs.delete(work);
    }

    @Override
    protected RuntimeService runtime() {
        return runtime;
    }

    @Override
    protected Path rootfs() {
        return rootfs;
    }

    @Test
    void theNodeRunsWithoutTheControlPlane() {
        assertThat(node.getBeanNamesForType(DataSource.class)).isEmpty();
        assertThat(node.getBeanNamesForType(jakarta.persistence.EntityManagerFactory.class)).isEmpty();
        assertThat(node.containsBean("flyway")).isFalse();
        List<String> platformBeans = Arrays.stream(node.getBeanDefinitionNames())
                .filter(name -> {
                    Class<?> type = node.getType(name);
                    return type != null && type.getName().startsWith("dev.wharf.platform.");
                })
                .toList();
        assertThat(platformBeans).isEmpty();
        assertThat(node.getBeanNamesForType(RuntimeService.class)).hasSize(1);
    }

    @Test
    void callsWithoutOrWithAWrongCredentialAreRefusedAndChangeNothing() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec spec = spec(teamA, List.of("/bin/true"), null);
        byte[] body = NodeJson.write(spec);
        for (String authorization : new String[] {null, "Bearer wrong-" + CREDENTIAL, "Basic " + CREDENTIAL, "Bearer "}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve("/node/v1/containers"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("with %s", authorization).isEqualTo(401);
            assertThat(response.body()).doesNotContain(CREDENTIAL);
        }
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));
        RemoteRuntime stranger = RemoteRuntime.connect(url, "not-" + CREDENTIAL, trust);
        assertThatThrownBy(() -> stranger.create(spec)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                .hasMessageContaining("credential");
        assertThatThrownBy(() -> stranger.openTerminal("x", List.of("/bin/sh"), 80, 24)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("credential");
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));
        // the health probe needs nothing
        assertThat(http.send(HttpRequest.newBuilder(url.resolve("/actuator/health")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }

    static NodeTrust trust(CertificateAuthority ca) {
        return new NodeTrust(ca.context(ca.issueClient("wharf-control-plane", Instant.now(), Duration.ofDays(1))), false);
    }

    /** A create with the right credential, sent by {@code client} to {@code base}: the status, or the failure that stopped it. */
    private String createWith(HttpClient client, URI base, ContainerSpec spec) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/node/v1/containers"))
                    .header("Authorization", "Bearer " + CREDENTIAL).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(NodeJson.write(spec))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).doesNotContain(CREDENTIAL);
            return String.valueOf(response.statusCode());
        } catch (IOException e) {
            return "refused: " + e;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void onlyTheControlPlanesClientCertificateOverTlsReachesTheNode() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec spec = spec(teamA, List.of("/bin/true"), null);
        CertificateAuthority other = CertificateAuthority.create("another CA", Instant.now(), Duration.ofDays(1));
        javax.net.ssl.SSLContext noCertificate = javax.net.ssl.SSLContext.getInstance("TLS");
        noCertificate.init(null, trustOnly(authority), null);
        javax.net.ssl.SSLContext otherCertificate = javax.net.ssl.SSLContext.getInstance("TLS");
        otherCertificate.init(keyManagers(other.issueClient("wharf-control-plane", Instant.now(), Duration.ofDays(1))),
                trustOnly(authority), null);
        URI plain = URI.create("http://127.0.0.1:" + url.getPort());

        assertThat(createWith(HttpClient.newHttpClient(), plain, spec)).as("plain http").matches("400|401|refused.*");
        assertThat(createWith(RemoteRuntime.newHttpClient(noCertificate), url, spec)).as("TLS without a client certificate")
                .isEqualTo("401");
        assertThat(createWith(RemoteRuntime.newHttpClient(otherCertificate), url, spec)).as("a client certificate of another CA")
                .matches("401|refused.*");
        javax.net.ssl.SSLContext aNodesCertificate = javax.net.ssl.SSLContext.getInstance("TLS");
        aNodesCertificate.init(keyManagers(new CertificateAuthority.Identity(nodeKeys.getPrivate(), nodeCertificate)), trustOnly(authority), null);
        assertThat(createWith(RemoteRuntime.newHttpClient(aNodesCertificate), url, spec))
                .as("a node's own certificate (same CA, for serving only) as a client").matches("401|refused.*");
        javax.net.ssl.SSLContext anotherClient = javax.net.ssl.SSLContext.getInstance("TLS");
        anotherClient.init(keyManagers(authority.issueClient("docker-api-user", Instant.now(), Duration.ofDays(1))), trustOnly(authority), null);
        assertThat(createWith(RemoteRuntime.newHttpClient(anotherClient), url, spec))
                .as("a client certificate the same CA gave someone else").isEqualTo("401");
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));

        // the control plane pins its CA: a node whose certificate another CA signed (or that is dialled by another name) is refused
        RemoteRuntime pinnedElsewhere = RemoteRuntime.connect(url, CREDENTIAL, trust(other));
        assertThatThrownBy(() -> pinnedElsewhere.create(spec)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThatThrownBy(() -> pinnedElsewhere.openTerminal("x", List.of("/bin/sh"), 80, 24)).isInstanceOf(RuntimeFailure.class);
        RemoteRuntime otherName = RemoteRuntime.connect(URI.create("https://localhost:" + url.getPort()), CREDENTIAL, trust);
        assertThatThrownBy(otherName::status).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        // and never dials plain http unless a test lab allows it
        RemoteRuntime overHttp = RemoteRuntime.connect(plain, CREDENTIAL, trust);
        assertThatThrownBy(() -> overHttp.create(spec)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("https")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));
    }

    private static javax.net.ssl.TrustManager[] trustOnly(CertificateAuthority ca) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static javax.net.ssl.KeyManager[] keyManagers(CertificateAuthority.Identity identity) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", identity.key(), "pw".toCharArray(), new java.security.cert.Certificate[] {identity.certificate()});
        javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, "pw".toCharArray());
        return factory.getKeyManagers();
    }

    @Test
    void aDirectoryRootFilesystemIsRefusedAndNothingIsCreated() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec hostRoot = new ContainerSpec("hostroot" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), "host-root",
                teamA, new Rootfs.Directory(Path.of("/")), List.of("/bin/true"), null, null, null, null, null);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(url.resolve("/node/v1/containers"))
                .header("Authorization", "Bearer " + CREDENTIAL).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(NodeJson.write(hostRoot))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("INVALID_ARGUMENT").contains("images only");
        assertThatThrownBy(() -> runtime.create(hostRoot)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(hostRoot.id()));
        assertThatThrownBy(() -> runtime.inspect(hostRoot.id())).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
    }

    @Test
    void aNodeWithoutACredentialAnswers503() throws Exception {
        Path file = JoinedNodeFiles.credentialFile(dataDir);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Path aside = file.resolveSibling("credential.aside");
        Files.move(file, aside);
        try {
            assertThatThrownBy(runtime::list).isInstanceOf(RuntimeFailure.class)
                    .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                    .hasMessageContaining("has not joined");
        } finally {
            Files.move(aside, file);
        }
        assertThat(runtime.list()).isNotNull();
    }

    @Test
    void aNodeThatIsNotRunningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RemoteRuntime gone = RemoteRuntime.connect(URI.create("https://127.0.0.1:" + port), CREDENTIAL, trust);
        long start = System.nanoTime();
        assertThatThrownBy(gone::status).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                .hasMessageStartingWith("node https://127.0.0.1:" + port + " is not answering: ");
        assertThatThrownBy(() -> gone.inspect("abc")).isInstanceOf(RuntimeFailure.class);
        assertThatThrownBy(() -> gone.subscribe(e -> { })).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void closingAFollowedLogStreamEarlyReturnsAtOnce() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "echo first; while true; do echo more; sleep 0.2; done");
        long start;
        try (Stream<LogLine> lines = runtime.logs(info.id(), new LogQuery(null, null, true))) {
            Iterator<LogLine> iterator = lines.iterator();
            assertThat(iterator.next().text()).isEqualTo("first");
            assertThat(servingLogs()).isPositive();
            start = System.nanoTime();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        // the node notices the closed connection and stops following
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> servingLogs() == 0);
        assertThat(servingLogs()).isZero();
        assertThatThrownBy(() -> runtime.logs("nosuchcontainer", LogQuery.ALL)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
    }

    @Test
    void volumesStatsAndWritableBytesCrossTheWire() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, new Resources(1.0, 256 * MiB, 100L)));
        String name = "v-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(runtime.createVolume(teamA, name, MiB).name()).isEqualTo(name);
        assertThatThrownBy(() -> runtime.createVolume(teamA, name, MiB)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.ALREADY_EXISTS));
        assertThat(runtime.volumes(teamA)).anyMatch(v -> v.name().equals(name));
        ContainerInfo info = run(teamA, new Resources(null, 64 * MiB, null), "/bin/sh", "-c", "head -c 5000 /dev/zero > /blob; sleep 300");
        Thread.sleep(500);
        assertThat(runtime.stats(info.id()).memoryLimitBytes()).isEqualTo(64 * MiB);
        assertThat(runtime.writableBytes(info.id())).isGreaterThanOrEqualTo(5000);
        assertThat(runtime.inspect(info.id()).spec()).isEqualTo(runtime.list().stream().filter(c -> c.id().equals(info.id()))
                .findFirst().orElseThrow().spec());
        runtime.kill(info.id(), "KILL");
        assertThat(awaitExit(info.id(), Duration.ofSeconds(20)).exitCode()).isEqualTo(137);
        runtime.removeVolume(teamA, name);
        assertThat(runtime.volumes(teamA)).noneMatch(v -> v.name().equals(name));
        assertThatThrownBy(() -> runtime.image(teamA, "sha256:" + "0".repeat(64))).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
    }

    @Test
    void theNodeRefusesPullsFromInternalAddressesExceptTheRegistriesItsAdminListed() throws Exception {
        try (dev.wharf.testing.CountingListener internal = new dev.wharf.testing.CountingListener()) {
            assertThatThrownBy(() -> runtime.pullImage(teamA, internal.host() + "/x:y", host -> null, p -> { }))
                    .isInstanceOf(RuntimeFailure.class)
                    .hasMessage("pull " + internal.host() + "/x:y: registry " + internal.host() + " refused: it is not a public"
                            + " address; an admin can allow a private registry by listing its host:port in wharf.registries.private")
                    .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
            assertThat(internal.connections()).isZero();
        }
        // wharf.registries.private reached the node: it connects (over HTTPS; the listener is no registry)
        assertThatThrownBy(() -> runtime.pullImage(teamA, listedPrivate.host() + "/x:y", host -> null, p -> { }))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageStartingWith("pull " + listedPrivate.host() + "/x:y: could not reach registry " + listedPrivate.host())
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThat(listedPrivate.connections()).isPositive();
    }

    @Test
    void imagesArePulledWithProgressImportedFromAStreamedArchiveAndRun() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "umoci, skopeo and docker-registry are not installed");
        List<PullProgress> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> askedFor = new java.util.concurrent.CopyOnWriteArrayList<>();
        String reference = registry.host() + "/team/busybox:1";
        ImageInfo pulled = runtime.pullImage(teamA, reference, host -> {
            askedFor.add(host);
            return new RegistryCredentials("puller", "pull-secret");
        }, progress::add);
        assertThat(askedFor).containsExactly(registry.host());
        assertThat(pulled.references()).containsExactly(reference);
        assertThat(progress).isNotEmpty().anySatisfy(p -> assertThat(p.done()).isEqualTo(p.total()).isPositive());
        assertThat(runtime.images(teamA)).extracting(ImageInfo::digest).contains(pulled.digest());
        assertThat(runtime.image(teamA, pulled.digest())).isEqualTo(pulled);
        assertThat(runtime.images(teamB)).extracting(ImageInfo::digest).doesNotContain(pulled.digest());
        assertThatThrownBy(() -> runtime.pullImage(teamA, registry.host() + "/team/busybox:nope", null, p -> { }))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("team/busybox:nope")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
        assertThatThrownBy(() -> runtime.pullImage(teamA, "Not A Reference", host -> null, p -> { })).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));

        Path archive = work.resolve("busybox-docker.tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":" + BusyboxLayout.AMD64,
                "docker-archive:" + archive + ":example/busybox:saved"));
        ImageInfo imported;
        try (java.io.InputStream in = Files.newInputStream(archive)) {
            imported = runtime.importImage(teamA, in);
        }
        assertThat(imported.references()).containsExactly("docker.io/example/busybox:saved");
        assertThatThrownBy(() -> runtime.importImage(teamA, new java.io.ByteArrayInputStream("not a tar".getBytes())))
                .isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));

        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec spec = new ContainerSpec("img" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), "from-image", teamA,
                new Rootfs.Image(imported.digest()), List.of("/bin/sh", "-c", "echo from-image"), null, null, null, null, null);
        runtime.create(spec);
        created.add(spec.id());
        runtime.start(spec.id());
        assertThat(awaitExit(spec.id(), Duration.ofSeconds(20)).exitCode()).isZero();
        assertThat(logText(spec.id())).isEqualTo("STDOUT:from-image");
        assertThatThrownBy(() -> runtime.removeImage(teamA, imported.digest())).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.FAILED_PRECONDITION));
        runtime.remove(spec.id(), false);
        runtime.removeImage(teamA, imported.digest());
        if (!pulled.digest().equals(imported.digest())) {
            runtime.removeImage(teamA, pulled.digest());
        }
        assertThat(runtime.images(teamA)).extracting(ImageInfo::digest).doesNotContain(pulled.digest(), imported.digest());
    }

    @Test
    void eventsFlowUntilTheSubscriptionIsClosed() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        List<dev.wharf.runtime.api.RuntimeEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        AutoCloseable subscription = runtime.subscribe(events::add);
        ContainerInfo first = run(teamA, Resources.UNLIMITED, "/bin/true");
        awaitExit(first.id(), Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> events.stream()
                .anyMatch(e -> e.containerId().equals(first.id()) && e instanceof dev.wharf.runtime.api.RuntimeEvent.ContainerExited));
        assertThat(events).anyMatch(e -> e.containerId().equals(first.id()) && e instanceof dev.wharf.runtime.api.RuntimeEvent.ContainerExited);
        subscription.close();
        Thread.sleep(300);
        ContainerInfo second = run(teamA, Resources.UNLIMITED, "/bin/true");
        awaitExit(second.id(), Duration.ofSeconds(20));
        Thread.sleep(500);
        assertThat(events).noneMatch(e -> e.containerId().equals(second.id()));
    }

    /** Request threads of the node (same JVM) that are serving a log stream now. */
    private static long servingLogs() {
        return Thread.getAllStackTraces().values().stream()
                .filter(stack -> Arrays.stream(stack).anyMatch(frame -> frame.getClassName().equals(JoinedNodeFiles.CONTROLLER)
                        && frame.getMethodName().equals("logs")))
                .count();
    }
}
