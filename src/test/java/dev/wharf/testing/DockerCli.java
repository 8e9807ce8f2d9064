package dev.wharf.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker CLI of Debian's docker.io (20.10, API 1.41), as {@code .ci/run} unpacks it (client
 * only: no daemon is ever installed or started), pointed at a Wharf Docker port with one client
 * certificate: {@code DOCKER_HOST=tcp://localhost:PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR}. Its
 * configuration directory is its own ({@code DOCKER_CONFIG}), so nothing of the host's user leaks in.
 *
 * <pre>{@code
 * DockerCli docker = DockerCli.at(dir, "tcp://localhost:" + dockerPort, ca, cert, key);
 * DockerCli.Result version = docker.run("version");
 * assertThat(version.exitCode()).as(version.toString()).isZero();
 * }</pre>
 */
public final class DockerCli {

    /** Where {@code .ci/run} unpacks the CLI. */
    public static final Path BINARY = Path.of("/var/tmp/wharf-test-cache/docker-cli/usr/bin/docker");
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final String dockerHost;

    private DockerCli(Path dir, String dockerHost) {
        this.dir = dir;
        this.dockerHost = dockerHost;
    }

    /** Skips (or, with {@code WHARF_STRICT_TESTS=true}, fails) a test when the CLI is not unpacked. */
    public static void require() {
        Prerequisites.require(Files.isExecutable(BINARY), "the Docker CLI is not at " + BINARY + " (.ci/run unpacks it)");
    }

    /**
     * A CLI whose certificate directory {@code dir} (made if missing) holds {@code ca.pem}, {@code cert.pem}
     * and {@code key.pem} (PEM text, as {@code POST /api/v1/teams/{team}/docker-certificates} answers them).
     */
    public static DockerCli at(Path dir, String dockerHost, String ca, String cert, String key) throws IOException {
        require();
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("ca.pem"), ca);
        Files.writeString(dir.resolve("cert.pem"), cert);
        Files.writeString(dir.resolve("key.pem"), key);
        return new DockerCli(dir, dockerHost);
    }

    /** What one command did. */
    public record Result(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code docker ARGS...} (60 s at most) with no input. */
    public Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(args), null, DEFAULT_LIMIT);
    }

    /**
     * Runs {@code docker ARGS...}, feeding it {@code stdin} (a file, or {@code null} for none), killed
     * after {@code limit} (then the exit code is -1 and stderr says so).
     */
    public Result run(List<String> args, Path stdin, Duration limit) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BINARY.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("DOCKER_"));
        env.put("DOCKER_HOST", dockerHost);
        env.put("DOCKER_TLS_VERIFY", "1");
        env.put("DOCKER_CERT_PATH", dir.toString());
        env.put("DOCKER_CONFIG", dir.resolve("config").toString());
        env.put("HOME", dir.toString());
        env.put("NO_PROXY", "*");
        env.remove("HTTP_PROXY");
        env.remove("HTTPS_PROXY");
        env.remove("http_proxy");
        env.remove("https_proxy");
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        } else {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process process = builder.start();
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return new Result(-1, out.getNow(""), "docker " + args + " did not finish within " + limit + "\n" + err.getNow(""));
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(could not read: " + e.getMessage() + ")";
            }
        }, task -> {
            Thread reader = new Thread(task, "docker-cli-output"); // its own thread: the common pool may have only one
            reader.setDaemon(true);
            reader.start();
        });
    }
}
