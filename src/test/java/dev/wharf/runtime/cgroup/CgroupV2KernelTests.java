package dev.wharf.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The v2 manager on whatever real cgroup2 this host has: a pure v2 host's {@code /sys/fs/cgroup}
 * (limits written and read back), or a hybrid host's empty {@code /sys/fs/cgroup/unified}
 * (the missing controllers are named, and nothing is created).
 */
@Tag("root")
class CgroupV2KernelTests {

    private final String root = "wharf-v2test-" + UUID.randomUUID().toString().substring(0, 8);
    private Path mount;

    private static Path v2Mount() {
        for (Path candidate : List.of(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/unified"))) {
            if (Files.exists(candidate.resolve("cgroup.controllers"))) {
                return candidate;
            }
        }
        return null;
    }

    private static String ownV2Path() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::")).findFirst()
                .map(l -> l.substring(3)).orElse("/");
    }

    @AfterEach
    void removeTree() throws IOException {
        if (mount == null) {
            return;
        }
        Path top = mount.resolve(root);
        if (Files.isDirectory(top)) {
            try (Stream<Path> walk = Files.walk(top)) {
                for (Path dir : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(dir);
                }
            }
        }
    }

    @Test
    void onARealCgroup2TheManagerWritesLimitsOrNamesWhatIsMissing() throws IOException {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "cgroup tests need root");
        mount = v2Mount();
        Assumptions.assumeTrue(mount != null, "this host has no cgroup2 mounted");
        CgroupV2Manager manager = new CgroupV2Manager(mount, "/", "/" + root);
        List<String> controllers = List.of(Files.readString(mount.resolve("cgroup.controllers")).strip().split("\\s+"));
        if (!controllers.containsAll(List.of("cpu", "memory", "pids"))) {
            List<String> problems = manager.problems();
            for (String needed : List.of("cpu", "memory", "pids")) {
                if (!controllers.contains(needed)) {
                    assertThat(problems).anySatisfy(p -> assertThat(p).contains("controller " + needed + " is not available"));
                }
            }
            assertThatThrownBy(() -> manager.applyTeamLimits(5, new Resources(0.5, 64L << 20, 50L)))
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
            assertThat(mount.resolve(root).resolve("team-5")).doesNotExist();
            return;
        }
        Assumptions.assumeTrue(ownV2Path().equals("/"), "not moving this test's own processes on a delegated v2 host");
        manager.applyTeamLimits(5, new Resources(0.5, 64L << 20, 50L));
        Path team = mount.resolve(root).resolve("team-5");
        assertThat(Files.readString(team.resolve("memory.max")).strip()).isEqualTo(String.valueOf(64L << 20));
        assertThat(Files.readString(team.resolve("cpu.max")).strip()).isEqualTo("50000 100000");
        assertThat(Files.readString(team.resolve("pids.max")).strip()).isEqualTo("50");
        assertThat(manager.removeTeam(5)).isTrue();
    }
}
