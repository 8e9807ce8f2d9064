package dev.wharf.bench;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRegistry;
import dev.wharf.testing.TestRuntimes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A container's whole cycle through the REST API as a user feels it (run with {@code bench/cycle-bench.sh}, as root), against a
 * real Wharf server started as a child JVM on loopback, busybox cached, one request at a time, every figure interleaved
 * with its baselines in each round:
 * <ol>
 * <li>run to completion: {@code POST …/containers} ({@code start: true}, {@code /bin/true}) until a GET shows
 * {@code exited}; beside bare {@code runc run} of the default {@code runc spec} bundle, bare {@code runc run} of the very
 * {@code config.json} Wharf wrote (a copy of the bundle), and {@code podman run --rm --network none}; with the delete
 * after it, the whole cycle;</li>
 * <li>exit visible: SIGKILL to a running container's process from the host, until a GET shows {@code exited};</li>
 * <li>delete of a running container with {@code force=true}, beside bare {@code runc kill} + {@code runc delete -f} +
 * {@code umount} of an overlay root.</li>
 * </ol>
 * The API is polled with a minimal kept-alive client ({@link LeanHttp}) at most every {@value #POLL_MICROS} µs.
 */
public final class CycleBenchmark {

    private static final String PASSWORD = "cycle-bench-admin-password";
    private static final String TEAM = "cycle";
    private static final long POLL_MICROS = 500;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("run as root: the server runs real containers");
        }
        if (!BusyboxLayout.available() || !TestRegistry.available()) {
            throw new IllegalStateException("busybox-static, umoci, skopeo and docker-registry are needed");
        }
        System.out.printf("host: %d CPUs, load average at start %s%n", Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createDirectories(Path.of("/var/tmp", "wharf-cyclebench-" + suffix));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        String cgroupRoot = "wharf-cyclebench-" + suffix;
        String bareCgroupRoot = "wharf-cyclebench-bare-" + suffix;
        Path serverLog = work.resolve("server.log");
        NetworkSettings serverNetwork = TestRuntimes.network();
        NetworkSettings bareNetwork = TestRuntimes.network();
        Path bareState = Files.createDirectories(work.resolve("bare-runc"));
        Path data = work.resolve("data");
        Process server = null;
        Thread hook = null;
        String podmanImage = null;
        String reference = null;
        LeanHttp api = null;
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")))) {
            Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "library/busybox:1");
            String image = registry.host() + "/library/busybox:1";
            int port = ApiBenchmark.freePort();
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            // the JVM options ./wharf run gives an all-in-one host (bin/wharf-java), then BENCH_SERVER_JAVA_OPTS, which win
            String serverOptions = (modeOptions("all") + " " + System.getenv().getOrDefault("BENCH_SERVER_JAVA_OPTS", "")).strip();
            if (!serverOptions.isEmpty()) {
                command.addAll(List.of(serverOptions.split("\\s+")));
            }
            System.out.println("server JVM options: " + serverOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), WharfApplication.class.getName(), "--server.address=127.0.0.1",
                    "--server.port=" + port, "--wharf.data-dir=" + data, "--wharf.runtime.cgroup-root=" + cgroupRoot,
                    "--wharf.registries.insecure=" + registry.host(), "--WHARF_ADMIN_PASSWORD=" + PASSWORD, "--logging.level.root=warn",
                    "--wharf.runtime.network.pool=" + serverNetwork.pool(), "--wharf.runtime.network.bridge-prefix=" + serverNetwork.bridgePrefix()));
            server = ApiBenchmark.start(command, serverLog, port);
            Process started = server;
            hook = new Thread(() -> started.destroyForcibly());
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.printf("server up on 127.0.0.1:%d (pid %d)%n", port, server.pid());

            Http admin = Http.to(port).basic("admin", PASSWORD);
            ApiBenchmark.expect(admin.post("/api/v1/teams", "{\"name\":\"" + TEAM + "\"}"), 201);
            ApiBenchmark.expect(admin.put("/api/v1/teams/" + TEAM + "/quota",
                    "{\"cpus\":null,\"memory\":null,\"pids\":null,\"containers\":null,\"storage\":null}"), 200);
            String token = ApiBenchmark.expect(admin.post("/api/v1/tokens", "{\"name\":\"cycle-bench\"}"), 201).json().get("token").asString();
            api = new LeanHttp(port, token);
            expect(api.post("/api/v1/teams/" + TEAM + "/images/pull", "{\"reference\":\"" + image + "\"}"), 200, 201);

            // the baselines' bundles: runc spec's default, and a copy of one Wharf wrote (kept, created, for its bind mounts)
            Path rootfs = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
            Path defaultBundle = defaultBundle(work, rootfs);
            reference = "ref-" + suffix;
            String referenceId = expect(api.post(containers(), "{\"name\":\"" + reference + "\",\"image\":\"" + image
                    + "\",\"network\":\"none\",\"command\":[\"/bin/true\"],\"start\":false}"), 201).json().get("id").asString();
            Path wharfBundle = copyOfWharfBundle(work, data.resolve("containers").resolve(referenceId), referenceId);
            podmanImage = podmanImage(layout);

            for (int i = 0; i < 3; i++) { // warm-up: JIT, the page cache, the first snapshot of the image
                runToExit(api, data, image);
                bareRun(defaultBundle, bareState, null);
                bareRun(wharfBundle, bareState, referenceId);
                exitVisible(api, data, image);
                forceDelete(api, image);
                bareDelete(work, rootfs, bareState);
            }
            List<Long> wharfRun = new ArrayList<>();
            List<Long> wharfCycle = new ArrayList<>();
            List<Long> bareDefault = new ArrayList<>();
            List<Long> bareWharfConfig = new ArrayList<>();
            List<Long> podman = new ArrayList<>();
            List<Long> visible = new ArrayList<>();
            List<Long> wharfDelete = new ArrayList<>();
            List<Long> bareDeletes = new ArrayList<>();
            Map<String, List<Long>> steps = new LinkedHashMap<>();
            Map<String, List<Long>> exitSteps = new LinkedHashMap<>();
            String podmanSkipped = podmanImage == null ? "podman is not installed or could not load the image" : null;
            for (int i = 0; i < runs; i++) {
                Cycle cycle = runToExit(api, data, image);
                wharfRun.add(cycle.exitedMicros());
                wharfCycle.add(cycle.deletedMicros());
                cycle.steps().forEach((step, micros) -> steps.computeIfAbsent(step, k -> new ArrayList<>()).add(micros));
                bareDefault.add(bareRun(defaultBundle, bareState, null));
                bareWharfConfig.add(bareRun(wharfBundle, bareState, referenceId));
                if (podmanSkipped == null) {
                    try {
                        podman.add(podmanRun(podmanImage));
                    } catch (IllegalStateException e) {
                        podmanSkipped = e.getMessage();
                    }
                }
                Cycle exit = exitVisible(api, data, image);
                visible.add(exit.exitedMicros());
                exit.steps().forEach((step, micros) -> exitSteps.computeIfAbsent(step, k -> new ArrayList<>()).add(micros));
                wharfDelete.add(forceDelete(api, image));
                bareDeletes.add(bareDelete(work, rootfs, bareState));
            }

            System.out.println();
            System.out.printf("== 1. run to completion: POST start:true /bin/true until GET shows exited (%d runs, interleaved)%n", runs);
            report("wharf POST..exited", wharfRun);
            report("bare runc run, runc spec", bareDefault);
            report("bare runc run, Wharf's config", bareWharfConfig);
            ratio("vs runc spec default (target <= 3x)", wharfRun, bareDefault);
            ratio("vs Wharf's config.json (target <= 1.5x)", wharfRun, bareWharfConfig);
            report("wharf POST..exited..DELETE", wharfCycle);
            if (podmanSkipped == null) {
                report("podman run --rm", podman);
                ratio("whole cycle vs podman run --rm (target <= 0.5x)", wharfCycle, podman);
            } else {
                System.out.println("podman run --rm: skipped: " + podmanSkipped);
            }
            System.out.println("where the time goes (median offset from sending the POST, ms; file times are the kernel's mtimes):");
            steps.forEach((step, micros) -> System.out.printf("  %-58s %7.1f  (p95 %.1f)%n", step, ApiBenchmark.percentile(micros, 50) / 1000.0,
                    ApiBenchmark.percentile(micros, 95) / 1000.0));
            System.out.println();
            System.out.println("== 2. exit visible: SIGKILL to the container's process from the host until GET shows exited");
            report("wharf exit visible", visible);
            System.out.printf("target: p95 <= 20 ms -> %s%n", ApiBenchmark.percentile(visible, 95) <= 20_000 ? "met" : "NOT met");
            System.out.println("where the time goes (median offset from the SIGKILL, ms):");
            exitSteps.forEach((step, micros) -> System.out.printf("  %-58s %7.1f  (p95 %.1f)%n", step,
                    ApiBenchmark.percentile(micros, 50) / 1000.0, ApiBenchmark.percentile(micros, 95) / 1000.0));
            System.out.println();
            System.out.println("== 3. delete of a running container (sleep 300), force=true");
            report("wharf DELETE ?force=true", wharfDelete);
            report("bare runc kill+delete -f+umount", bareDeletes);
            ratio("(target <= 1.5x)", wharfDelete, bareDeletes);
        } catch (RuntimeException e) {
            if (Files.exists(serverLog)) {
                String log = Files.readString(serverLog);
                System.err.println("server log (tail):\n" + log.substring(Math.max(0, log.length() - 4000)));
            }
            throw e;
        } finally {
            System.out.println();
            System.out.println("cleaning up ...");
            if (api != null && reference != null) {
                try {
                    api.delete(containers() + "/" + reference + "?force=true");
                } catch (IOException ignored) {
                    // the runtime clean-up below removes it
                }
                api.close();
            }
            if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
                root.setLevel(ch.qos.logback.classic.Level.WARN);
            }
            if (server != null) {
                server.destroy();
                if (!server.waitFor(60, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            if (hook != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            if (podmanImage != null) {
                run(List.of("podman", "rmi", "-f", podmanImage), 60);
            }
            unmountAll(work);
            ApiBenchmark.cleanUp(work, bareState, cgroupRoot, bareCgroupRoot, serverNetwork, bareNetwork);
            System.out.println("cleaned up");
        }
    }

    private static String containers() {
        return "/api/v1/teams/" + TEAM + "/containers";
    }

    record Cycle(long exitedMicros, long deletedMicros, Map<String, Long> steps) {
    }

    /** POST start:true of /bin/true, GETs until exited; the files the node wrote on the way; then DELETE (untimed in exitedMicros). */
    private static Cycle runToExit(LeanHttp api, Path data, String image) throws Exception {
        String name = "r-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"name\":\"" + name + "\",\"image\":\"" + image + "\",\"network\":\"none\",\"command\":[\"/bin/true\"]}";
        Instant sent = Instant.now();
        long start = System.nanoTime();
        JsonNode created = expect(api.post(containers(), body), 201).json();
        long answered = System.nanoTime();
        String state = created.get("state").asString();
        while (!"exited".equals(state)) {
            pause(start);
            state = expect(api.get(containers() + "/" + name), 200).json().get("state").asString();
        }
        long exited = System.nanoTime();
        JsonNode row = expect(api.get(containers() + "/" + name), 200).json();
        String id = created.get("id").asString();
        Map<String, Long> steps = new LinkedHashMap<>();
        Path dir = data.resolve("containers").resolve(id);
        steps.put("bundle written (bundle/config.json)", micros(sent, dir.resolve("bundle/config.json")));
        steps.put("conmon daemonized (conmon.pid)", micros(sent, dir.resolve("conmon.pid")));
        steps.put("runc create done (pidfile)", micros(sent, dir.resolve("pidfile")));
        steps.put("201 Created received", (answered - start) / 1000);
        steps.put("conmon wrote the exit (exits/<id>)", micros(sent, data.resolve("exits").resolve(id)));
        steps.put("runtime recorded the exit (container.json)", micros(sent, dir.resolve("container.json")));
        if (row.hasNonNull("finishedAt")) {
            steps.put("database row exited (finishedAt)", java.time.Duration.between(sent,
                    Instant.parse(row.get("finishedAt").asString())).toNanos() / 1000);
        }
        steps.put("GET shows exited", (exited - start) / 1000);
        expect(api.delete(containers() + "/" + name), 204);
        long deleted = System.nanoTime();
        steps.put("DELETE answered (whole cycle)", (deleted - start) / 1000);
        return new Cycle((exited - start) / 1000, (deleted - start) / 1000, steps);
    }

    /** A running sleep, its process SIGKILLed from the host; µs from the kill until a GET shows exited. Then DELETE, untimed. */
    private static Cycle exitVisible(LeanHttp api, Path data, String image) throws Exception {
        String name = "v-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = expect(api.post(containers(), "{\"name\":\"" + name + "\",\"image\":\"" + image
                + "\",\"network\":\"none\",\"command\":[\"/bin/sleep\",\"300\"]}"), 201).json();
        String id = created.get("id").asString();
        int pid = Integer.parseInt(Files.readString(data.resolve("containers").resolve(id).resolve("pidfile")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        Instant killed = Instant.now();
        long start = System.nanoTime();
        process.destroyForcibly();
        JsonNode row = null;
        long lastGet = 0;
        while (row == null || !"exited".equals(row.get("state").asString())) {
            pause(start);
            lastGet = System.nanoTime();
            row = expect(api.get(containers() + "/" + name), 200).json();
        }
        long micros = (System.nanoTime() - start) / 1000;
        long getMicros = (System.nanoTime() - lastGet) / 1000;
        Map<String, Long> steps = new LinkedHashMap<>();
        steps.put("conmon wrote the exit (exits/<id>)", micros(killed, data.resolve("exits").resolve(id)));
        steps.put("runtime recorded the exit (container.json)", micros(killed, data.resolve("containers").resolve(id).resolve("container.json")));
        if (row.hasNonNull("finishedAt")) {
            steps.put("database row exited (finishedAt)", java.time.Duration.between(killed, Instant.parse(row.get("finishedAt").asString()))
                    .toNanos() / 1000);
        }
        steps.put("GET shows exited", micros);
        steps.put("(the GET that showed it took)", getMicros);
        expect(api.delete(containers() + "/" + name), 204);
        return new Cycle(micros, micros, steps);
    }

    /** A running sleep (created untimed), then DELETE ?force=true timed until the 204. */
    private static long forceDelete(LeanHttp api, String image) throws Exception {
        String name = "d-" + UUID.randomUUID().toString().substring(0, 8);
        expect(api.post(containers(), "{\"name\":\"" + name + "\",\"image\":\"" + image
                + "\",\"network\":\"none\",\"command\":[\"/bin/sleep\",\"300\"]}"), 201);
        long start = System.nanoTime();
        expect(api.delete(containers() + "/" + name + "?force=true"), 204);
        return (System.nanoTime() - start) / 1000;
    }

    /** Polls no more often than every POLL_MICROS (a busy client would take a CPU from the server on 2 cores). */
    private static void pause(long since) throws InterruptedException {
        if (System.nanoTime() - since > 30_000_000_000L) {
            throw new IllegalStateException("the container did not show exited within 30 s");
        }
        TimeUnit.MICROSECONDS.sleep(POLL_MICROS);
    }

    private static long micros(Instant since, Path file) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        Instant at = Files.getLastModifiedTime(file).toInstant();
        return java.time.Duration.between(since, at).toNanos() / 1000;
    }

    /** {@code runc spec}'s bundle with {@code /bin/true} as its process, no terminal. */
    private static Path defaultBundle(Path work, Path rootfs) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("default-bundle"));
        run(List.of("runc", "spec", "--bundle", bundle.toString()), 30);
        ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(bundle.resolve("config.json")));
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode argv = process.putArray("args");
        argv.add("/bin/true");
        ((ObjectNode) config.get("root")).put("path", rootfs.toString());
        Files.writeString(bundle.resolve("config.json"), JSON.writeValueAsString(config));
        return bundle;
    }

    /** The bundle Wharf wrote for a created container, copied (its root filesystem with its owners), to run with runc itself. */
    private static Path copyOfWharfBundle(Path work, Path containerDir, String id) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("wharf-bundle"));
        ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(containerDir.resolve("bundle/config.json")));
        Path root = containerDir.resolve("bundle").resolve(config.get("root").get("path").asString());
        run(List.of("cp", "-a", root.toString(), bundle.resolve("rootfs").toString()), 60);
        ((ObjectNode) config.get("root")).put("path", bundle.resolve("rootfs").toString());
        Files.writeString(bundle.resolve("config.template.json"), JSON.writeValueAsString(config));
        System.out.printf("Wharf's config.json for %s copied to %s (cgroupsPath %s, per run with the run's id)%n", id, bundle,
                config.get("linux").path("cgroupsPath").asString());
        return bundle;
    }

    /**
     * Bare {@code runc run} of a bundle (foreground, until the process exits and runc removed the container). For the copy
     * of Wharf's bundle, its cgroup path gets the run's id in place of {@code templateId} before timing.
     */
    private static long bareRun(Path bundle, Path state, String templateId) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        if (templateId != null) {
            ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(bundle.resolve("config.template.json")));
            ObjectNode linux = (ObjectNode) config.get("linux");
            linux.put("cgroupsPath", linux.get("cgroupsPath").asString().replace(templateId, id));
            Files.writeString(bundle.resolve("config.json"), JSON.writeValueAsString(config));
        }
        long start = System.nanoTime();
        Process run = new ProcessBuilder("runc", "--root", state.toString(), "run", "--bundle", bundle.toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        String output = new String(run.getInputStream().readAllBytes());
        if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
            run.destroyForcibly();
            throw new IllegalStateException("runc run of " + bundle + " failed: " + output);
        }
        return (System.nanoTime() - start) / 1000;
    }

    /**
     * A running {@code sleep 300} of runc spec's bundle on an overlay of the busybox tree (mounted and started untimed), then
     * {@code runc kill KILL} + {@code runc delete -f} + {@code umount}, timed.
     */
    private static long bareDelete(Path work, Path rootfs, Path state) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Path dir = Files.createDirectories(work.resolve("bare-delete").resolve(id));
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(dir.resolve("work"));
        run(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + rootfs + ",upperdir=" + dir.resolve("upper") + ",workdir="
                + dir.resolve("work"), merged.toString()), 30);
        ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(work.resolve("default-bundle/config.json")));
        ObjectNode process = (ObjectNode) config.get("process");
        ArrayNode argv = process.putArray("args");
        argv.add("/bin/sleep");
        argv.add("300");
        ((ObjectNode) config.get("root")).put("path", merged.toString());
        ((ObjectNode) config.get("root")).put("readonly", false);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
        new ProcessBuilder("runc", "--root", state.toString(), "run", "-d", "--bundle", dir.toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        long start = System.nanoTime();
        run(List.of("runc", "--root", state.toString(), "kill", id, "KILL"), 30);
        run(List.of("runc", "--root", state.toString(), "delete", "-f", id), 30);
        run(List.of("umount", merged.toString()), 30);
        long micros = (System.nanoTime() - start) / 1000;
        run(List.of("rm", "-rf", dir.toString()), 30);
        return micros;
    }

    /** Loads the busybox layout into podman's store; its image id, or null (with the reason printed) when podman cannot. */
    private static String podmanImage(Path layout) {
        try {
            String id = run(List.of("podman", "pull", "-q", "oci:" + layout + ":" + BusyboxLayout.AMD64), 120).strip();
            String[] lines = id.split("\n");
            id = lines[lines.length - 1].strip();
            podmanRun(id); // runs here at all?
            return id;
        } catch (IOException | RuntimeException e) {
            System.out.println("podman run --rm: skipped: " + e.getMessage());
            return null;
        }
    }

    private static long podmanRun(String image) {
        long start = System.nanoTime();
        try {
            run(List.of("podman", "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000", image,
                    "/bin/true"), 60);
        } catch (IOException e) {
            throw new IllegalStateException("podman: " + e.getMessage());
        }
        return (System.nanoTime() - start) / 1000;
    }

    private static void unmountAll(Path work) {
        try (var dirs = Files.list(work.resolve("bare-delete"))) {
            for (Path dir : dirs.toList()) {
                if (Files.isDirectory(dir.resolve("merged"))) {
                    new ProcessBuilder("umount", dir.resolve("merged").toString()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            // nothing mounted
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a command; its output, or an exception with it when it fails. */
    private static String run(List<String> command, int seconds) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in " + seconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output.strip());
        }
        return output;
    }

    record Parsed(int status, JsonNode json) {
    }

    private static Parsed expect(LeanHttp.Answer answer, int... statuses) {
        for (int status : statuses) {
            if (answer.status() == status) {
                return new Parsed(status, answer.body().isEmpty() ? null : JSON.readTree(answer.body()));
            }
        }
        throw new IllegalStateException("unexpected answer: " + answer.status() + " " + answer.body());
    }

    private static void report(String name, List<Long> micros) {
        System.out.printf("%-32s n=%d  median %.1f ms  p95 %.1f ms%n", name, micros.size(), ApiBenchmark.percentile(micros, 50) / 1000.0,
                ApiBenchmark.percentile(micros, 95) / 1000.0);
    }

    private static void ratio(String name, List<Long> wharf, List<Long> baseline) {
        System.out.printf("  ratio %s: median %.2fx  p95 %.2fx%n", name,
                (double) ApiBenchmark.percentile(wharf, 50) / ApiBenchmark.percentile(baseline, 50),
                (double) ApiBenchmark.percentile(wharf, 95) / ApiBenchmark.percentile(baseline, 95));
    }

    /** The default JVM options of a mode, as {@code bin/wharf-java --print-options MODE} prints them. */
    static String modeOptions(String mode) throws IOException, InterruptedException {
        Process print = new ProcessBuilder("bin/wharf-java", "--print-options", mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String options = new String(print.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (print.waitFor() != 0) {
            throw new IOException("bin/wharf-java --print-options " + mode + " failed");
        }
        return options;
    }
}
