package dev.wharf.bench;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.bundle.BundleRequest;
import dev.wharf.runtime.bundle.ProcessUser;
import dev.wharf.runtime.bundle.OciSpecBuilder;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.runtime.snapshot.IdShiftingCopy;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.TestRegistry;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * REST API benchmark (run with {@code bench/api-bench.sh}, as root) against a real Wharf server
 * started as a child JVM on loopback, with a busybox image in a registry on loopback:
 * <ol>
 * <li>create+start → running latency of {@code POST …/containers} (cached image), beside bare
 * {@code runc run -d} of an equivalent bundle in the same run;</li>
 * <li>{@code GET …/containers} latency with as many containers in the team as could be created
 * (with {@code "start": false}) in a bounded time, up to 1,000: after 20 s of untimed GETs, timed with
 * {@link KeepAliveClient} (the target's number), and beside it by curl and by the JDK's {@code HttpClient};</li>
 * <li>200 concurrent clients doing mixed reads for a bounded time and request count.</li>
 * </ol>
 * Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
 */
public final class ApiBenchmark {

    private static final String PASSWORD = "api-bench-admin-password";
    private static final String TEAM = "bench";
    private static final long BARE_TEAM = 64_998;
    private static final OciSpecBuilder SPECS = new OciSpecBuilder();
    private static final int LIST_WARM_UP_SECONDS = 20;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int listTarget = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int populateSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 180;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int mixedSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("run as root: the server runs real containers");
        }
        if (!BusyboxLayout.available() || !TestRegistry.available()) {
            throw new IllegalStateException("busybox-static, umoci, skopeo and docker-registry are needed");
        }
        System.out.printf("host: %d CPUs, load average at start %s (shared, loaded machine: numbers are noisy)%n",
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createDirectories(Path.of("/var/tmp", "wharf-apibench-" + suffix));
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        String cgroupRoot = "wharf-apibench-" + suffix;
        String bareCgroupRoot = "wharf-apibench-bare-" + suffix;
        Path serverLog = work.resolve("server.log");
        // bridges and iptables chains of their own, removed at the end
        NetworkSettings serverNetwork = TestRuntimes.network();
        NetworkSettings bareNetwork = TestRuntimes.network();
        Process server = null;
        LocalRuntime bareRuntime = null;
        Path bareState = Files.createDirectories(work.resolve("bare-runc"));
        Thread hook = null;
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")))) {
            Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "library/busybox:1");
            String image = registry.host() + "/library/busybox:1";
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            // the JVM options ./wharf run gives an all-in-one host (bin/wharf-java), then BENCH_SERVER_JAVA_OPTS, which win
            String serverOptions = (CycleBenchmark.modeOptions("all") + " " + System.getenv().getOrDefault("BENCH_SERVER_JAVA_OPTS", "")).strip();
            System.out.println("server JVM options: " + serverOptions);
            if (!serverOptions.isEmpty()) {
                command.addAll(List.of(serverOptions.split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), WharfApplication.class.getName(), "--server.address=127.0.0.1",
                    "--server.port=" + port, "--wharf.data-dir=" + work.resolve("data"), "--wharf.runtime.cgroup-root=" + cgroupRoot,
                    "--wharf.registries.insecure=" + registry.host(), "--WHARF_ADMIN_PASSWORD=" + PASSWORD, "--logging.level.root=warn",
                    "--wharf.runtime.network.pool=" + serverNetwork.pool(), "--wharf.runtime.network.bridge-prefix=" + serverNetwork.bridgePrefix()));
            long bootStart = System.nanoTime();
            server = start(command, serverLog, port);
            Process started = server;
            hook = new Thread(() -> started.destroyForcibly());
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.printf("server up on 127.0.0.1:%d in %.1f s%n", port, (System.nanoTime() - bootStart) / 1e9);

            Http admin = Http.to(port).basic("admin", PASSWORD);
            expect(admin.post("/api/v1/teams", "{\"name\":\"" + TEAM + "\"}"), 201);
            expect(admin.put("/api/v1/teams/" + TEAM + "/quota",
                    "{\"cpus\":null,\"memory\":null,\"pids\":null,\"containers\":null,\"storage\":null}"), 200);
            // Basic auth costs a password hash per request; scripts use tokens, and so does this benchmark
            String token = expect(admin.post("/api/v1/tokens", "{\"name\":\"api-bench\"}"), 201).json().get("token").asString();
            Http api = Http.to(port).bearer(token);
            expect(api.post("/api/v1/teams/" + TEAM + "/images/pull", "{\"reference\":\"" + image + "\"}"), 200, 201);

            // 1. create+start → running, one Wharf create then one bare runc run at a time, so both see the same host load
            Path rootfs = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
            bareRuntime = LocalRuntime.open(TestRuntimes.settings(work.resolve("bare-node"), bareCgroupRoot, 1_000_000, Set.of(),
                    bareNetwork), Clock.systemUTC());
            bareRuntime.applyTeamLimits(new TeamLimits(BARE_TEAM, Resources.UNLIMITED)); // the team cgroup, as Wharf makes it
            Path bareBundle = bareBundle(rootfs, work);
            for (int i = 0; i < 3; i++) { // warm-up: first snapshot of the image, JIT, runc's binary in the page cache
                createStart(api, image, "none");
                bareRuncRun(bareBundle, bareState, bareCgroupRoot);
                createStart(api, image, "team");
            }
            List<Long> wharf = new ArrayList<>();
            List<Long> bare = new ArrayList<>();
            List<Long> wharfTeam = new ArrayList<>();
            int running = 0;
            for (int i = 0; i < runs; i++) {
                Created created = createStart(api, image, "none");
                wharf.add(created.micros());
                running += created.running() ? 1 : 0;
                bare.add(bareRuncRun(bareBundle, bareState, bareCgroupRoot));
                wharfTeam.add(createStart(api, image, "team").micros());
            }
            System.out.println();
            System.out.println("== 1. create+start -> running, cached image, command /bin/sleep 300 (interleaved, one at a time)");
            report("wharf POST (start:true, network none)", wharf);
            report("bare runc run -d (loopback only)", bare);
            System.out.printf("responses (201) already reporting state running: %d of %d%n", running, wharf.size());
            System.out.printf("ratio (median): %.2fx   ratio (p95): %.2fx   target: median <= 2x bare runc (same bundle: loopback only)%n",
                    (double) percentile(wharf, 50) / percentile(bare, 50), (double) percentile(wharf, 95) / percentile(bare, 95));
            report("wharf POST (start:true, team network)", wharfTeam);
            System.out.printf("team network adds (median): %.1f ms (CNI bridge + host-local + firewall, /etc/hosts of the team)%n",
                    (percentile(wharfTeam, 50) - percentile(wharf, 50)) / 1000.0);
            System.out.println(dockerLine());

            // 2. list with many containers
            System.out.println();
            System.out.printf("== 2. GET /api/v1/teams/%s/containers with up to %d containers%n", TEAM, listTarget);
            List<String> names = populate(api, image, listTarget, populateSeconds);
            int count = api.get("/api/v1/teams/" + TEAM + "/containers").json().size();
            System.out.printf("containers in the team (from the list itself): %d%n", count);
            if (count < listTarget) {
                System.out.printf("NOTE: only %d of the %d containers the issue asks for could be created within %d s on this machine "
                        + "(each is a real runc create + conmon); the list below is measured with %d containers, not %d%n",
                        count, listTarget, populateSeconds, count, listTarget);
            }
            // untimed GETs first: on 2 cores the server's JIT keeps compiling the list path for ~15 s of traffic
            Timings list = sequentialGets(work, token, port, "/api/v1/teams/" + TEAM + "/containers", LIST_WARM_UP_SECONDS, 500, 180);
            System.out.printf("%s  (containers: %d)  target: p99 < 20 ms -> %s%n", tail("GET list (lean client)", list.lean()), count,
                    percentile(list.lean(), 99) < 20_000 ? "met" : "NOT met");
            System.out.println(list.curl().isEmpty() ? "GET list (curl)            curl is not installed, skipped"
                    : tail("GET list (curl)", list.curl()) + "  (one curl process on one connection, as curl times each)");
            System.out.println(tail("GET list (JDK HttpClient)", list.jdk()) + "  (the same GET; the difference is the JDK client's own cost)");

            // 3. concurrent mixed reads
            System.out.println();
            System.out.printf("== 3. %d concurrent clients, mixed reads for %d s (list, one container, quota, me), loopback only%n",
                    clients, mixedSeconds);
            mixedReads(token, port, names, clients, mixedSeconds, 2_000_000);
        } catch (RuntimeException e) {
            if (Files.exists(serverLog)) {
                String log = Files.readString(serverLog);
                System.err.println("server log (tail):\n" + log.substring(Math.max(0, log.length() - 4000)));
            }
            throw e;
        } finally {
            System.out.println();
            System.out.println("cleaning up ...");
            if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
                root.setLevel(ch.qos.logback.classic.Level.WARN); // not a line per removed container
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
            if (bareRuntime != null) {
                bareRuntime.close();
            }
            cleanUp(work, bareState, cgroupRoot, bareCgroupRoot, serverNetwork, bareNetwork);
            System.out.println("cleaned up");
        }
    }

    record Created(long micros, boolean running) {
    }

    /** POST with start:true on {@code network} (team or none), timed until the 201 answer; then DELETE ?force=true, not timed. */
    private static Created createStart(Http api, String image, String network) {
        String name = "cs-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"name\":\"" + name + "\",\"image\":\"" + image + "\",\"network\":\"" + network
                + "\",\"command\":[\"/bin/sleep\",\"300\"]}";
        long start = System.nanoTime();
        Http.Response created = api.post("/api/v1/teams/" + TEAM + "/containers", body);
        long elapsed = (System.nanoTime() - start) / 1000;
        expect(created, 201);
        boolean running = "running".equals(created.json().get("state").asString());
        expect(api.delete("/api/v1/teams/" + TEAM + "/containers/" + name + "?force=true"), 204);
        return new Created(elapsed, running);
    }

    /** A bundle like Wharf's (shifted rootfs copy); its config.json is written per run by {@link #bareRuncRun}. */
    private static Path bareBundle(Path rootfs, Path work) throws IOException {
        Path bundle = Files.createDirectories(work.resolve("bare-bundle"));
        IdShiftingCopy.copy(rootfs, bundle.resolve("rootfs"), IdMapping.forTeam(BARE_TEAM, 1_000_000));
        return bundle;
    }

    /** Bare runc run -d of the bundle with a spec like Wharf's (OciSpecBuilder), timed until runc returns; then runc delete, not timed. */
    private static long bareRuncRun(Path bundle, Path state, String cgroupRoot) throws Exception {
        IdMapping ids = IdMapping.forTeam(BARE_TEAM, 1_000_000);
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ContainerSpec spec = new ContainerSpec(id, "b-" + id.substring(0, 8), BARE_TEAM, new Rootfs.Directory(bundle.resolve("rootfs")),
                List.of("/bin/sleep", "300"), null, null, null, null, null);
        Files.writeString(bundle.resolve("config.json"), SPECS.json(new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), ids,
                cgroupRoot + "/team-" + BARE_TEAM + "/ctr-" + id, null, null, null)));
        long start = System.nanoTime();
        Process run = new ProcessBuilder("runc", "--root", state.toString(), "run", "-d", "--bundle", bundle.toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!run.waitFor(60, TimeUnit.SECONDS)) {
            run.destroyForcibly();
            throw new IllegalStateException("runc run -d did not return in 60 s");
        }
        long elapsed = (System.nanoTime() - start) / 1000;
        if (run.exitValue() != 0) {
            throw new IllegalStateException("runc run -d failed with " + run.exitValue());
        }
        runcDelete(state, id);
        return elapsed;
    }

    static void runcDelete(Path state, String id) throws IOException, InterruptedException {
        Process delete = new ProcessBuilder("runc", "--root", state.toString(), "delete", "-f", id).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!delete.waitFor(60, TimeUnit.SECONDS)) {
            delete.destroyForcibly();
        }
    }

    /**
     * {@code runs} GETs by one curl process (after 100 untimed), kept alive on one connection as curl does for the URLs
     * of one command, each as curl times it ({@code time_total}); empty when curl is not installed.
     */
    private static List<Long> curlGets(Path work, String token, int port, String path, int runs) throws Exception {
        StringBuilder config = new StringBuilder("silent\nshow-error\nfail\nheader = \"Authorization: Bearer " + token
                + "\"\nwrite-out = \"%{time_total}\\n\"\n");
        for (int i = 0; i < 100 + runs; i++) {
            config.append("url = \"http://127.0.0.1:").append(port).append(path).append("\"\noutput = \"/dev/null\"\n");
        }
        Path file = work.resolve("curl.config"); // holds the token: the owner's only
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, config);
        Process curl;
        try {
            curl = new ProcessBuilder("curl", "--config", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException noCurl) {
            return List.of();
        }
        List<Long> micros = new ArrayList<>();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(curl.getInputStream()))) {
            int i = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine(), i++) {
                if (i >= 100) {
                    micros.add(Math.round(Double.parseDouble(line.strip().replace(',', '.')) * 1e6));
                }
            }
        } finally {
            if (!curl.waitFor(120, TimeUnit.SECONDS)) {
                curl.destroyForcibly();
            }
            Files.delete(file);
        }
        if (curl.exitValue() != 0) {
            throw new IllegalStateException("curl exited with " + curl.exitValue());
        }
        return micros;
    }

    private static String dockerLine() {
        try {
            Process info = new ProcessBuilder("docker", "info").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!info.waitFor(10, TimeUnit.SECONDS)) {
                info.destroyForcibly();
                return "docker: not present (docker info did not answer in 10 s), skipped";
            }
            if (info.exitValue() == 0) {
                return "docker: an engine answers, but docker run is not measured by this benchmark, skipped";
            }
        } catch (IOException noBinary) {
            // no docker binary
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "docker: not present, skipped";
    }

    /** Creates containers with start:false in 8 threads until the target count or the deadline. */
    private static List<String> populate(Http api, String image, int target, int seconds) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<String> names = Collections.synchronizedList(new ArrayList<>());
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long begin = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            pool.execute(() -> {
                int i;
                while (System.nanoTime() < deadline && failures.get() < 20 && (i = next.getAndIncrement()) < target) {
                    String name = String.format("l-%04d", i);
                    long start = System.nanoTime();
                    try {
                        Http.Response created = api.post("/api/v1/teams/" + TEAM + "/containers", "{\"name\":\"" + name
                                + "\",\"image\":\"" + image + "\",\"command\":[\"/bin/sleep\",\"300\"],\"start\":false}");
                        if (created.status() == 201) {
                            micros.add((System.nanoTime() - start) / 1000);
                            names.add(name);
                        } else {
                            failures.incrementAndGet();
                            System.out.println("create failed: " + created);
                        }
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        System.out.println("create failed: " + e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 120L, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        double took = (System.nanoTime() - begin) / 1e9;
        System.out.printf("created %d containers (start:false, 8 threads) in %.1f s, %d failures; per create: median %.1f ms, p95 %.1f ms; "
                + "%.1f creates/s%n", names.size(), took, failures.get(), micros.isEmpty() ? 0 : percentile(micros, 50) / 1000.0,
                micros.isEmpty() ? 0 : percentile(micros, 95) / 1000.0, names.size() / took);
        if (!micros.isEmpty() && percentile(micros, 50) > 200_000) {
            System.out.println("NOTE: creating a container takes more than 200 ms here, so the list is measured with the number reached");
        }
        return new ArrayList<>(names);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest get(int port, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    /** Timed GETs of one path by three clients: a minimal kept-alive one, curl, and the JDK's {@code HttpClient}. */
    private record Timings(List<Long> lean, List<Long> curl, List<Long> jdk) {
    }

    /**
     * One GET at a time: untimed for {@code warmUpSeconds} (the server's JIT compiles the path meanwhile), then
     * {@code runs} timed by {@link KeepAliveClient}, then {@code runs} by curl (see {@link #curlGets}), then {@code runs} by
     * the JDK's {@code HttpClient} (after 100 untimed, for the client's own JIT), all within {@code seconds}.
     */
    private static Timings sequentialGets(Path work, String token, int port, String path, int warmUpSeconds, int runs, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Timings timings = new Timings(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (KeepAliveClient lean = new KeepAliveClient(port, path, token)) {
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
            int untimed = 0;
            for (; untimed < 50_000 && System.nanoTime() < warm; untimed++) {
                lean.get();
            }
            System.out.printf("%d untimed GETs in %d s first%n", untimed, warmUpSeconds);
            for (int i = 0; i < runs && System.nanoTime() < deadline; i++) {
                long start = System.nanoTime();
                lean.get();
                timings.lean().add((System.nanoTime() - start) / 1000);
            }
        }
        timings.curl().addAll(curlGets(work, token, port, path, runs));
        HttpClient client = client();
        HttpRequest request = get(port, path, token);
        for (int i = 0; i < 100 + runs && System.nanoTime() < deadline; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            long micros = (System.nanoTime() - start) / 1000;
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " -> " + response.statusCode());
            }
            if (i >= 100) {
                timings.jdk().add(micros);
            }
        }
        if (timings.lean().size() < runs || timings.jdk().size() < runs) {
            System.out.printf("NOTE: the %d s bound ended the sequential GETs early%n", seconds);
        }
        return timings;
    }

    /** {@code clients} platform threads (a fixed pool) reading for {@code seconds} or {@code maxRequests}, whichever ends first. */
    private static void mixedReads(String token, int port, List<String> names, int clients, int seconds, long maxRequests)
            throws InterruptedException {
        String[] kinds = {"list", "one", "quota", "me"};
        List<String> existing = names.isEmpty() ? List.of() : names;
        HttpClient client = client(); // one client (connection pool) shared by the threads
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<List<Long>> perKind = new ArrayList<>();
        for (int k = 0; k < kinds.length; k++) {
            perKind.add(Collections.synchronizedList(new ArrayList<>()));
        }
        List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());
        java.util.Map<String, AtomicLong> errorKinds = new java.util.concurrent.ConcurrentSkipListMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long begin = System.nanoTime();
        long deadline = begin + TimeUnit.SECONDS.toNanos(seconds);
        for (int c = 0; c < clients; c++) {
            int first = c;
            pool.execute(() -> {
                List<List<Long>> mine = new ArrayList<>();
                for (int k = 0; k < kinds.length; k++) {
                    mine.add(new ArrayList<>());
                }
                for (int n = first; System.nanoTime() < deadline && issued.incrementAndGet() <= maxRequests; n++) {
                    int kind = n % kinds.length;
                    String path = switch (kind) {
                        case 0 -> "/api/v1/teams/" + TEAM + "/containers";
                        case 1 -> existing.isEmpty() ? "/api/v1/teams/" + TEAM
                                : "/api/v1/teams/" + TEAM + "/containers/" + existing.get(ThreadLocalRandom.current().nextInt(existing.size()));
                        case 2 -> "/api/v1/teams/" + TEAM + "/quota";
                        default -> "/api/v1/me";
                    };
                    long start = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(get(port, path, token), HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() == 200) {
                            mine.get(kind).add((System.nanoTime() - start) / 1000);
                        } else {
                            errors.incrementAndGet();
                            errorKinds.computeIfAbsent(kinds[kind] + ": HTTP " + response.statusCode(), k -> new AtomicLong()).incrementAndGet();
                            if (errorSamples.size() < 5) {
                                errorSamples.add("GET " + path + " -> " + response.statusCode());
                            }
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        errorKinds.computeIfAbsent(kinds[kind] + ": " + e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                        if (errorSamples.size() < 5) {
                            errorSamples.add("GET " + path + " -> " + e);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                for (int k = 0; k < kinds.length; k++) {
                    perKind.get(k).addAll(mine.get(k));
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        double took = (System.nanoTime() - begin) / 1e9;
        List<Long> all = new ArrayList<>();
        perKind.forEach(all::addAll);
        System.out.printf("%d clients, %.1f s: %d ok responses, %d errors, %.0f requests/s; all: p50 %.1f ms  p99 %.1f ms  target: 0 errors -> %s%n",
                clients, took, all.size(), errors.get(), (all.size() + errors.get()) / took, percentile(all, 50) / 1000.0,
                percentile(all, 99) / 1000.0, errors.get() == 0 ? "met" : "NOT met");
        for (int k = 0; k < kinds.length; k++) {
            List<Long> values = perKind.get(k);
            if (!values.isEmpty()) {
                System.out.printf("  %-6s n=%-7d p50 %.1f ms  p99 %.1f ms%n", kinds[k], values.size(), percentile(values, 50) / 1000.0,
                        percentile(values, 99) / 1000.0);
            }
        }
        errorKinds.forEach((what, n) -> System.out.printf("  errors %-40s %d%n", what, n.get()));
        errorSamples.forEach(sample -> System.out.println("  error: " + sample));
    }

    static Http.Response expect(Http.Response response, int... statuses) {
        for (int status : statuses) {
            if (response.status() == status) {
                return response;
            }
        }
        throw new IllegalStateException("unexpected answer: " + response);
    }

    static Process start(List<String> command, Path log, int port) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 360; i++) {
            try {
                if (Http.to(port).get("/actuator/health").status() == 200) {
                    return process;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited: " + Files.readString(log));
            }
            Thread.sleep(500);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the server did not start in 180 s: " + Files.readString(log));
    }

    /** Whatever is left on the node goes, through runtimes opened on the same data dirs; then cgroups and files. */
    static void cleanUp(Path work, Path bareState, String cgroupRoot, String bareCgroupRoot, NetworkSettings serverNetwork,
            NetworkSettings bareNetwork) throws Exception {
        for (String root : List.of(cgroupRoot, bareCgroupRoot)) {
            Path node = root.equals(cgroupRoot) ? work.resolve("data") : work.resolve("bare-node");
            if (!Files.isDirectory(node)) {
                continue;
            }
            LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(node, root, 1_000_000, Set.of(),
                    root.equals(cgroupRoot) ? serverNetwork : bareNetwork), Clock.systemUTC());
            try {
                List<ContainerInfo> left = new ArrayList<>(runtime.list());
                if (!left.isEmpty()) {
                    System.out.printf("removing %d containers left under %s%n", left.size(), node);
                }
                for (ContainerInfo info : left) {
                    try {
                        runtime.remove(info.id(), true);
                    } catch (RuntimeException e) {
                        System.out.println("could not remove " + info.id() + ": " + e.getMessage());
                    }
                }
            } finally {
                runtime.removeNetworks();
                runtime.close();
            }
        }
        if (Files.isDirectory(bareState)) { // bare runc containers, should one be left after an error
            try (Stream<Path> ids = Files.list(bareState)) {
                for (Path id : ids.filter(Files::isDirectory).toList()) {
                    runcDelete(bareState, id.getFileName().toString());
                }
            }
        }
        TestCgroups.removeTree(cgroupRoot);
        TestCgroups.removeTree(bareCgroupRoot);
        try (Stream<Path> walk = Files.walk(work)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code name}, count, p50, p99 and max, as one line of the list's timings. */
    private static String tail(String name, List<Long> micros) {
        return String.format("%-26s n=%d  p50 %.1f ms  p99 %.1f ms  max %.1f ms", name, micros.size(), percentile(micros, 50) / 1000.0,
                percentile(micros, 99) / 1000.0, percentile(micros, 100) / 1000.0);
    }

    private static void report(String name, List<Long> micros) {
        System.out.printf("%-26s n=%d  median %.1f ms  p95 %.1f ms%n", name, micros.size(), percentile(micros, 50) / 1000.0,
                percentile(micros, 95) / 1000.0);
    }

    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
