package dev.wharf.testing;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.network.NetworkSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A Wharf node ({@code --wharf.mode=node}) in a child JVM on loopback, with a data dir, cgroup
 * root and team networks of its own, so several run side by side on one host. {@link #kill()}
 * is SIGKILL (its containers, under their own conmon, keep running); {@link #close()} stops it and
 * removes whatever it left on the host.
 */
public final class NodeProcess implements AutoCloseable {

    public final String name;
    public final int port;
    public final Path dataDir;
    public final String cgroupRoot = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    public final NetworkSettings network;
    private final Path log;
    private final List<String> command;
    private Process process;

    private NodeProcess(String name, Path work, NetworkSettings network, String serverUrl, String joinToken, String insecureRegistry)
            throws IOException {
        this.name = name;
        this.port = Loopback.freePort(1024, 65535);
        this.dataDir = Files.createDirectories(work.resolve(name));
        this.network = network;
        this.log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), WharfApplication.class.getName(), "--wharf.mode=node", "--server.port=" + port,
                "--server.address=127.0.0.1", "--wharf.data-dir=" + dataDir, "--wharf.runtime.cgroup-root=" + cgroupRoot,
                "--wharf.runtime.network.pool=" + network.pool(), "--wharf.runtime.network.bridge-prefix=" + network.bridgePrefix(),
                "--wharf.registries.insecure=" + insecureRegistry, "--wharf.node.name=" + name,
                "--wharf.node.advertise-url=https://127.0.0.1:" + port, "--wharf.node.server=" + serverUrl,
                "--spring.main.banner-mode=off"));
        if (joinToken != null) {
            command.add("--wharf.node.join-token=" + joinToken);
        }
        this.command = List.copyOf(command);
    }

    /** Starts a node that joins {@code serverUrl} with {@code joinToken} and waits until it answers its health check. */
    public static NodeProcess start(String name, Path work, NetworkSettings network, String serverUrl, String joinToken,
            String insecureRegistry) throws IOException, InterruptedException {
        NodeProcess node = prepare(name, work, network, serverUrl, joinToken, insecureRegistry);
        node.start();
        return node;
    }

    /** A node not started yet. */
    public static NodeProcess prepare(String name, Path work, NetworkSettings network, String serverUrl, String joinToken,
            String insecureRegistry) throws IOException {
        return new NodeProcess(name, work, network, serverUrl, joinToken, insecureRegistry);
    }

    /** Starts (again) and waits for the health check; fails with the node's log when it exits or never answers. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        for (int i = 0; i < 240; i++) {
            if (!process.isAlive()) {
                throw new AssertionError("node " + name + " exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (Files.exists(authority()) && tls().get("/actuator/health").status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + name + " did not start: " + log());
    }

    /** Starts a process that must exit by itself (a refused join); returns its exit code. */
    public int startExpectingExit() throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("node " + name + " did not exit: " + log());
        }
        return process.exitValue();
    }

    /** Wharf's CA, as the node keeps it once it has joined. */
    public Path authority() {
        return dataDir.resolve("node").resolve("tls").resolve("ca.crt");
    }

    /** The credential the node accepts, as it keeps it once it has joined. */
    public String credential() throws IOException {
        return Files.readString(dataDir.resolve("node").resolve("credential")).strip();
    }

    /**
     * A client of the node over TLS that trusts Wharf's CA (so it knows it reached the node) but
     * presents no client certificate: the node's health answers it, nothing else does.
     */
    public Http tls() {
        try {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            try (var in = Files.newInputStream(authority())) {
                trusted.setCertificateEntry("wharf-ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            factory.init(trusted);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return Http.tls("127.0.0.1", port, context);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read node " + name + "'s CA", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash or a pulled plug would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the node and removes its containers, networks, cgroups through a runtime opened on its data dir. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(dataDir, cgroupRoot, 1_000_000, Set.of(), network), Clock.systemUTC());
        try {
            TestRuntimes.removeAll(runtime);
        } finally {
            runtime.close();
            TestCgroups.removeTree(cgroupRoot);
        }
    }
}
