package dev.wharf.bench;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Image benchmark (run with {@code bench/image-bench.sh}, as root): an image of busybox and four
 * layers of 25 MiB of random bytes (seeded, so compression cannot shrink them), pushed to a registry
 * on loopback. Each run, with fresh stores: Wharf's pull, then the create of one container (which
 * unpacks every layer for the team), beside {@code skopeo copy} to an OCI layout and
 * {@code umoci unpack} with the same id mapping. Then N idle containers of the image for one team,
 * and the disk they use: the shared layer snapshots and the containers' own upper directories.
 */
public final class ImageBenchmark {

    private static final long TEAM = 64_998;
    private static final long ID_MAP_BASE = 1_000_000;
    private static final int RANDOM_LAYERS = 4;
    private static final int FILES_PER_LAYER = 5;
    private static final int MIB_PER_FILE = 5;
    private static final String REPOSITORY = "bench/big:1";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path work = WorkDirs.create("wharf-image-bench-");
        String cgroupRoot = "wharf-bench-" + work.getFileName().toString().substring(18);
        List<LocalRuntime> runtimes = new ArrayList<>();
        TestRegistry registry = null;
        try {
            Path layout = buildImage(work.resolve("image"));
            registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
            registry.push("oci:" + layout + ":bench", REPOSITORY);
            String reference = registry.host() + "/" + REPOSITORY;

            List<Long> pull = new ArrayList<>();
            List<Long> create = new ArrayList<>();
            List<Long> copy = new ArrayList<>();
            List<Long> unpack = new ArrayList<>();
            // umoci shifts owners into the team's ids as Wharf does
            String map = "0:" + IdMapping.forTeam(TEAM, ID_MAP_BASE).hostBase() + ":" + IdMapping.TEAM_SIZE;
            for (int run = 0; run < runs; run++) {
                LocalRuntime runtime = runtime(work.resolve("wharf-" + run), cgroupRoot, registry, runtimes);
                long start = System.nanoTime();
                ImageInfo image = runtime.pullImage(TEAM, reference, host -> null, progress -> { });
                long pulled = System.nanoTime();
                ContainerSpec spec = spec(image);
                runtime.create(spec);
                long created = System.nanoTime();
                pull.add((pulled - start) / 1000);
                create.add((created - pulled) / 1000);
                runtime.remove(spec.id(), true);
                runtime.removeImage(TEAM, image.digest());

                Path bare = Files.createDirectories(work.resolve("bare-" + run));
                start = System.nanoTime();
                Commands.run(List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + reference,
                        "oci:" + bare.resolve("oci") + ":big"));
                long copied = System.nanoTime();
                Commands.run(List.of("umoci", "unpack", "--uid-map", map, "--gid-map", map, "--image", bare.resolve("oci") + ":big",
                        bare.resolve("bundle").toString()));
                long unpacked = System.nanoTime();
                copy.add((copied - start) / 1000);
                unpack.add((unpacked - copied) / 1000);
            }
            List<Long> wharf = sums(pull, create);
            List<Long> tools = sums(copy, unpack);
            report("wharf pull", pull);
            report("wharf create (unpack)", create);
            report("wharf pull + create", wharf);
            report("skopeo copy", copy);
            report("umoci unpack", unpack);
            report("skopeo copy + umoci unpack", tools);
            System.out.printf("ratio (median): pull %.2fx   create/unpack %.2fx   together %.2fx   target: together <= 1.0x%n",
                    (double) median(pull) / median(copy), (double) median(create) / median(unpack),
                    (double) median(wharf) / median(tools));
            Path node = work.resolve("node");
            idleDisk(runtime(node, cgroupRoot, registry, runtimes), node, reference, idle);
        } finally {
            for (LocalRuntime runtime : runtimes) {
                TestRuntimes.removeAll(runtime);
                for (ImageInfo image : runtime.images(TEAM)) {
                    runtime.removeImage(TEAM, image.digest());
                }
                runtime.close();
            }
            if (registry != null) {
                registry.close();
            }
            WorkDirs.delete(work);
            TestCgroups.removeTree(cgroupRoot);
        }
    }

    /** busybox, then {@link #RANDOM_LAYERS} layers of random files; returns the layout (tag {@code bench}). */
    private static Path buildImage(Path dir) throws IOException, InterruptedException {
        OciImageBuilder image = OciImageBuilder.start(Files.createDirectories(dir), "bench");
        BusyboxRootfs.create(image.rootfs());
        image.commit();
        Random random = new Random(42);
        byte[] mib = new byte[1 << 20];
        for (int layer = 0; layer < RANDOM_LAYERS; layer++) {
            Path data = Files.createDirectories(image.rootfs().resolve("data/layer-" + layer));
            for (int file = 0; file < FILES_PER_LAYER; file++) {
                try (OutputStream out = Files.newOutputStream(data.resolve("random-" + file))) {
                    for (int i = 0; i < MIB_PER_FILE; i++) {
                        random.nextBytes(mib);
                        out.write(mib);
                    }
                }
            }
            image.commit();
        }
        return image.layout();
    }

    /** A fresh runtime on its own data directory, with the team's limits applied; added to {@code opened}. */
    private static LocalRuntime runtime(Path data, String cgroupRoot, TestRegistry registry, List<LocalRuntime> opened) {
        LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(data, cgroupRoot, ID_MAP_BASE, Set.of(registry.host())), Clock.systemUTC());
        opened.add(runtime);
        if (!runtime.status().ready()) {
            throw new IllegalStateException("this host cannot run containers: " + runtime.status().problems());
        }
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
        return runtime;
    }

    private static ContainerSpec spec(ImageInfo image) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new ContainerSpec(id, "b-" + id.substring(0, 8), TEAM, new Rootfs.Image(image.digest()), List.of("/bin/sleep", "3600"),
                null, null, null, null, null);
    }

    /**
     * Starts {@code count} idle containers of the image on {@code runtime} (whose data directory is
     * {@code data}) and prints the disk the layers and the containers use.
     */
    private static void idleDisk(LocalRuntime runtime, Path data, String reference, int count) throws Exception {
        ImageInfo image = runtime.pullImage(TEAM, reference, host -> null, progress -> { });
        List<Path> uppers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ContainerSpec spec = spec(image);
            runtime.create(spec);
            runtime.start(spec.id());
            uppers.add(runtime.dataDirOf(spec.id()).resolve("upper"));
        }
        long uncompressed = 0;
        for (String layer : image.layers()) {
            try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(
                    data.resolve("content/blobs/sha256").resolve(layer.substring("sha256:".length()))))) {
                uncompressed += in.transferTo(OutputStream.nullOutputStream());
            }
        }
        long snapshotsKb = diskKb(List.of(data.resolve("snapshots")));
        long uppersKb = diskKb(uppers);
        System.out.printf("image: %d layers, %.1f MiB compressed, %.1f MiB uncompressed (tar)%n", image.layers().size(),
                image.sizeBytes() / 1048576.0, uncompressed / 1048576.0);
        System.out.printf("%d idle containers of one team: layer snapshots %.1f MiB on disk (one copy), upper dirs %.2f MiB in all"
                + " (%.0f KiB each); a full copy per container would be %.0f MiB%n", count, snapshotsKb / 1024.0, uppersKb / 1024.0,
                (double) uppersKb / count, (double) count * uncompressed / 1048576.0);
    }

    /** The disk blocks under {@code paths} together, in KiB, as {@code du -skc} counts them (hard links once). */
    private static long diskKb(List<Path> paths) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("du", "-skc"));
        paths.forEach(path -> command.add(path.toString()));
        List<String> lines = Commands.run(command).lines().toList();
        return Long.parseLong(lines.get(lines.size() - 1).split("\\s+")[0]);
    }

    private static List<Long> sums(List<Long> a, List<Long> b) {
        List<Long> sums = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            sums.add(a.get(i) + b.get(i));
        }
        return sums;
    }

    private static void report(String name, List<Long> micros) {
        System.out.printf("%-28s n=%d  median %.1f ms  (runs: %s ms)%n", name, micros.size(), median(micros) / 1000.0,
                String.join(", ", micros.stream().map(m -> String.format("%.0f", m / 1000.0)).toList()));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((sorted.size() - 1) / 2);
    }
}
