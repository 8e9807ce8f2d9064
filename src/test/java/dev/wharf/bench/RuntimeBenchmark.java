package dev.wharf.bench;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.bundle.BundleRequest;
import dev.wharf.runtime.bundle.ProcessUser;
import dev.wharf.runtime.bundle.OciSpecBuilder;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.snapshot.IdShiftingCopy;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runtime benchmark (run with {@code bench/runtime-bench.sh}, as root): create + start + wait for
 * the exit of {@code /bin/true} through {@link LocalRuntime}, N times, beside bare {@code runc run}
 * of an equivalent bundle (same rootfs, user namespace, seccomp, cgroup parent) in the same run;
 * then the host memory (conmon's PSS) that each idle container costs.
 */
public final class RuntimeBenchmark {

    private static final long TEAM = 64_999;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path work = WorkDirs.create("wharf-bench-");
        String cgroupRoot = "wharf-bench-" + work.getFileName().toString().substring(12);
        Path rootfs = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
        LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(work.resolve("node"), cgroupRoot, 1_000_000, java.util.Set.of()), Clock.systemUTC());
        try {
            if (!runtime.status().ready()) {
                throw new IllegalStateException("this host cannot run containers: " + runtime.status().problems());
            }
            runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
            Map<String, CountDownLatch> exits = new ConcurrentHashMap<>();
            runtime.subscribe(event -> {
                if (event instanceof RuntimeEvent.ContainerExited exited) {
                    exits.computeIfAbsent(exited.containerId(), k -> new CountDownLatch(1)).countDown();
                }
            });
            // warm-up: commits the rootfs snapshot once, as images would be
            measureWharf(runtime, rootfs, exits, 3);
            List<Long> wharf = measureWharf(runtime, rootfs, exits, runs);
            List<Long> bare = measureBareRunc(rootfs, work, cgroupRoot, runs);
            report("wharf create+start+exit", wharf);
            report("bare runc run", bare);
            System.out.printf("ratio (median): %.2fx   ratio (p95): %.2fx   target: median <= 1.5x%n",
                    (double) percentile(wharf, 50) / percentile(bare, 50), (double) percentile(wharf, 95) / percentile(bare, 95));
            idleMemory(runtime, rootfs, idle);
        } finally {
            TestRuntimes.removeAll(runtime);
            runtime.close();
            removeTree(work);
            TestCgroups.removeTree(cgroupRoot);
        }
    }

    private static ContainerSpec spec(Path rootfs, List<String> args) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new ContainerSpec(id, "b-" + id.substring(0, 8), TEAM, new Rootfs.Directory(rootfs), args, null, null, null, null, null);
    }

    private static List<Long> measureWharf(LocalRuntime runtime, Path rootfs, Map<String, CountDownLatch> exits, int runs)
            throws InterruptedException {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ContainerSpec spec = spec(rootfs, List.of("/bin/true"));
            CountDownLatch exited = exits.computeIfAbsent(spec.id(), k -> new CountDownLatch(1));
            long start = System.nanoTime();
            runtime.create(spec);
            runtime.start(spec.id());
            if (!exited.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no exit event for " + spec.id());
            }
            micros.add((System.nanoTime() - start) / 1000);
            runtime.remove(spec.id(), true);
            exits.remove(spec.id());
        }
        return micros;
    }

    private static List<Long> measureBareRunc(Path rootfs, Path work, String cgroupRoot, int runs) throws Exception {
        IdMapping ids = IdMapping.forTeam(TEAM, 1_000_000);
        Path bundle = Files.createDirectories(work.resolve("bare-bundle"));
        IdShiftingCopy.copy(rootfs, bundle.resolve("rootfs"), ids);
        Path state = Files.createDirectories(work.resolve("bare-runc"));
        OciSpecBuilder builder = new OciSpecBuilder();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ContainerSpec spec = spec(rootfs, List.of("/bin/true"));
            Files.writeString(bundle.resolve("config.json"), builder.json(new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), ids,
                    cgroupRoot + "/team-" + TEAM + "/ctr-" + spec.id(), null, null, null)));
            long start = System.nanoTime();
            Process process = new ProcessBuilder("runc", "--root", state.toString(), "run", "--bundle", bundle.toString(), spec.id())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("runc run failed with " + process.exitValue());
            }
            micros.add((System.nanoTime() - start) / 1000);
        }
        return micros;
    }

    private static void idleMemory(LocalRuntime runtime, Path rootfs, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ContainerSpec spec = spec(rootfs, List.of("/bin/sleep", "3600"));
            runtime.create(spec);
            runtime.start(spec.id());
            ids.add(spec.id());
        }
        Thread.sleep(500);
        long pssKb = 0;
        long rssKb = 0;
        int counted = 0;
        for (String id : ids) {
            Path conmonPid = runtime.dataDirOf(id).resolve("conmon.pid");
            int pid = Integer.parseInt(Files.readString(conmonPid).strip());
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    pssKb += Long.parseLong(line.replaceAll("\\D", ""));
                    counted++;
                } else if (line.startsWith("Rss:")) {
                    rssKb += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        }
        System.out.printf("%d idle containers: conmon PSS %.2f MiB in all, %.2f MiB each (RSS %.2f MiB each)%n", counted,
                pssKb / 1024.0, pssKb / 1024.0 / counted, rssKb / 1024.0 / counted);
    }

    private static void report(String name, List<Long> micros) {
        System.out.printf("%-26s n=%d  median %.1f ms  p95 %.1f ms%n", name, micros.size(), percentile(micros, 50) / 1000.0,
                percentile(micros, 95) / 1000.0);
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void removeTree(Path dir) throws IOException {
        WorkDirs.delete(dir);
    }
}
