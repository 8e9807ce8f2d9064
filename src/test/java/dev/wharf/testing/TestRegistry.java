package dev.wharf.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real registry for tests: Debian's {@code docker-registry} (distribution 2.8) serving plain
 * HTTP on 127.0.0.1 from a directory, started per test class and stopped by its own process handle.
 * Images are pushed into it with skopeo.
 */
public final class TestRegistry implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private TestRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Whether {@code docker-registry} and {@code skopeo} are on the PATH. */
    public static boolean available() {
        return Commands.onPath("docker-registry") && Commands.onPath("skopeo");
    }

    /** Starts a registry that stores its data in {@code dir} and waits until it answers. */
    public static TestRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /**
     * Starts a registry that answers only {@code user} with {@code password} (HTTP Basic against an
     * htpasswd file, over plain HTTP on loopback); {@link #push} then needs {@code --dest-creds user:password}.
     */
    public static TestRegistry startWithLogin(Path dir, String user, String password) throws IOException, InterruptedException {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, user + ":" + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder().encode(password) + "\n");
        return start(dir, """
                auth:
                  htpasswd:
                    realm: wharf-test
                    path: %s
                """.formatted(htpasswd));
    }

    private static TestRegistry start(Path dir, String auth) throws IOException, InterruptedException {
        int port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port) + auth);
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        TestRegistry registry = new TestRegistry(process, port, log);
        try {
            registry.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** {@code 127.0.0.1:<port>}, the registry part of references to its images. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /**
     * Copies {@code source} (a skopeo source such as {@code oci:LAYOUT:tag}) to {@code repository:tag}
     * here; {@code options} go to {@code skopeo copy} ({@code --all}, {@code --format v2s2}).
     */
    public void push(String source, String repositoryAndTag, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
        command.addAll(List.of(options));
        command.addAll(List.of(source, "docker://" + host() + "/" + repositoryAndTag));
        Commands.run(command);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) { // 401: up, and asking for its login
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("docker-registry did not answer within 20 s: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
