package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The data directory on a real host: one under a directory the containers' mapped ids cannot pass
 * (like {@code /root}, 0700) is refused at start with one line naming that directory and the fix,
 * never a runc mount error at the first create; an existing data directory left readable by an
 * older version is made private when the runtime opens it.
 */
@Tag("root")
class DataDirCheckTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    Path work;

    @BeforeEach
    void work() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the data directory tests need root");
        Prerequisites.require(TestRuntimes.runcAndConmonInstalled(), "runc and conmon are not installed");
        work = WorkDirs.create("wharf-datadir-test-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        TestCgroups.removeTree(CGROUP_ROOT);
        WorkDirs.delete(work);
    }

    @Test
    void aDataDirUnderAPrivateParentIsTheNodesProblemNamingTheDirectoryAndTheFix() throws Exception {
        Path home = Files.createDirectory(work.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path data = home.resolve("wharf");
        RuntimeService runtime = LocalRuntime.onHost(TestRuntimes.settings(data, CGROUP_ROOT, 1_000_000, Set.of()), Clock.systemUTC());
        assertThat(runtime).isInstanceOf(UnavailableRuntime.class);
        assertThat(runtime.status().ready()).isFalse();
        assertThat(runtime.status().problems()).containsExactly(home + " is not traversable by container users (mode 0700), so"
                + " containers cannot start under " + data + ": choose a data directory under /var/lib or run chmod o+x " + home);
        assertThatThrownBy(() -> runtime.applyTeamLimits(new TeamLimits(1, Resources.UNLIMITED)))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                .hasMessageContaining("chmod o+x " + home);
        assertThat(Files.exists(data)).as("nothing made under a refused data dir").isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).as("the user's directory is left alone")
                .isEqualTo("rwx------");
    }

    @Test
    void anExistingReadableDataDirIsMadePrivateWhenTheRuntimeOpensIt() throws Exception {
        Path data = work.resolve("data");
        for (String dir : new String[] {"", "runc", "snapshots", "content", "containers", "volumes/team-3"}) {
            Files.createDirectories(data.resolve(dir));
            Files.setPosixFilePermissions(data.resolve(dir), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(data, CGROUP_ROOT, 1_000_000, Set.of()), Clock.systemUTC())) {
            assertThat(runtime.status().problems()).isEmpty();
            assertThat(mode(data)).isEqualTo("rwx--x--x");
            assertThat(mode(data.resolve("containers"))).isEqualTo("rwx--x--x");
            assertThat(mode(data.resolve("volumes"))).isEqualTo("rwx--x--x");
            for (String dir : new String[] {"runc", "snapshots", "content", "images", "exits", "sockets", "teams", "network"}) {
                assertThat(mode(data.resolve(dir))).as(dir).isEqualTo("rwx------");
            }
            assertThat(mode(data.resolve("volumes/team-3"))).isEqualTo("rwx--x---");
            assertThat(Files.getAttribute(data.resolve("volumes/team-3"), "unix:gid")).isEqualTo(1_000_000 + 2 * 65536);
            runtime.removeNetworks();
        }
    }

    private static String mode(Path path) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
