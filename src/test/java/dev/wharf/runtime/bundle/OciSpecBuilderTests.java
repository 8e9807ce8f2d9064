package dev.wharf.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TmpfsMount;
import dev.wharf.runtime.api.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OciSpecBuilderTests {

    private static final IdMapping TEAM_3 = IdMapping.forTeam(3, 1_000_000);

    private final OciSpecBuilder builder = new OciSpecBuilder(SeccompProfiles.forArch("amd64"), 1_048_576);

    private static ContainerSpec spec(Map<String, String> env, String workingDir, String user, Resources resources) {
        return new ContainerSpec("c1", "web-1", 3, new Rootfs.Directory(Path.of("/srv/rootfs")),
                List.of("/bin/sh", "-c", "echo hi"), env, workingDir, user, resources, null);
    }

    private static BundleRequest request(ContainerSpec spec) {
        return new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/team-3/ctr-c1", null, null, null);
    }

    private ObjectNode build(ContainerSpec spec) {
        return builder.build(request(spec));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    @Test
    void everyNamespaceIsNewAndNoneIsShared() {
        JsonNode namespaces = build(spec(null, null, null, null)).get("linux").get("namespaces");

        List<String> types = new ArrayList<>();
        namespaces.forEach(ns -> {
            types.add(ns.get("type").asString());
            assertThat(ns.has("path")).as("namespace %s joins an existing one", ns).isFalse();
        });
        assertThat(types).containsExactlyInAnyOrder("pid", "network", "ipc", "uts", "mount", "cgroup", "user");
    }

    @Test
    void rootInsideIsTheTeamsFirstHostId() {
        JsonNode linux = build(spec(null, null, null, null)).get("linux");

        for (String maps : List.of("uidMappings", "gidMappings")) {
            assertThat(linux.get(maps)).hasSize(1);
            JsonNode mapping = linux.get(maps).get(0);
            assertThat(mapping.get("containerID").asLong()).isZero();
            assertThat(mapping.get("hostID").asLong()).isEqualTo(1_000_000 + 2 * 65536L);
            assertThat(mapping.get("size").asLong()).isEqualTo(65536);
        }
        assertThat(linux.get("cgroupsPath").asString()).isEqualTo("wharf/team-3/ctr-c1");
    }

    @Test
    void theProcessHoldsExactlyDockersDefaultCapabilitiesAndCannotGainMore() {
        JsonNode process = build(spec(null, null, null, null)).get("process");
        JsonNode capabilities = process.get("capabilities");

        List<String> docker = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
        for (String set : List.of("bounding", "effective", "permitted")) {
            assertThat(strings(capabilities.get(set))).as(set).containsExactlyElementsOf(docker);
        }
        assertThat(capabilities.get("inheritable")).isEmpty();
        assertThat(capabilities.get("ambient")).isEmpty();
        assertThat(process.get("noNewPrivileges").asBoolean()).isTrue();
        assertThat(process.get("terminal").asBoolean()).isFalse();
        assertThat(process.get("oomScoreAdj").asInt()).isZero();
        JsonNode nofile = process.get("rlimits").get(0);
        assertThat(nofile.get("type").asString()).isEqualTo("RLIMIT_NOFILE");
        assertThat(nofile.get("soft").asLong()).isEqualTo(1_048_576);
        assertThat(nofile.get("hard").asLong()).isEqualTo(1_048_576);
    }

    @Test
    void kernelInterfacesThatLeakHostInformationAreMaskedOrReadOnly() {
        JsonNode linux = build(spec(null, null, null, null)).get("linux");

        assertThat(strings(linux.get("maskedPaths"))).containsExactly("/proc/acpi", "/proc/asound", "/proc/kcore",
                "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
        assertThat(strings(linux.get("readonlyPaths"))).containsExactly("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger");
        assertThat(linux.get("seccomp").get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
    }

    @Test
    void withoutLimitsOnlyTheDeviceRuleIsSet() {
        JsonNode resources = build(spec(null, null, null, null)).get("linux").get("resources");

        assertThat(resources.propertyNames()).containsExactly("devices");
        assertThat(resources.get("devices")).hasSize(1);
        assertThat(resources.get("devices").get(0).get("allow").asBoolean()).isFalse();
        assertThat(resources.get("devices").get(0).get("access").asString()).isEqualTo("rwm");
    }

    @Test
    void limitsBecomeMemoryWithoutSwapACpuQuotaAndAPidsLimit() {
        JsonNode resources = build(spec(null, null, null, new Resources(0.5, 256L * 1024 * 1024, 100L)))
                .get("linux").get("resources");

        assertThat(resources.get("memory").get("limit").asLong()).isEqualTo(268_435_456L);
        assertThat(resources.get("memory").get("swap").asLong()).isEqualTo(268_435_456L);
        assertThat(resources.get("cpu").get("quota").asLong()).isEqualTo(50_000);
        assertThat(resources.get("cpu").get("period").asLong()).isEqualTo(100_000);
        assertThat(resources.get("pids").get("limit").asLong()).isEqualTo(100);
    }

    @Test
    void eachLimitIsSetOnlyWhenAsked() {
        JsonNode resources = build(spec(null, null, null, new Resources(2.0, null, null))).get("linux").get("resources");

        assertThat(resources.propertyNames()).containsExactly("devices", "cpu");
        assertThat(resources.get("cpu").get("quota").asLong()).isEqualTo(200_000);
    }

    @Test
    void aTinyCpuShareStillGetsAQuotaTheKernelAccepts() {
        JsonNode cpu = build(spec(null, null, null, new Resources(0.001, null, null))).get("linux").get("resources").get("cpu");

        assertThat(cpu.get("quota").asLong()).isEqualTo(1_000);
    }

    @Test
    void processRunsTheSpecsCommandAsItsUserInItsDirectory() {
        ObjectNode config = build(spec(Map.of("ZED", "last", "ALPHA", "first=1"), "/srv/app", "1000:2000", null));
        JsonNode process = config.get("process");

        assertThat(strings(process.get("args"))).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(strings(process.get("env"))).containsExactly(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web-1", "HOME=/", "ALPHA=first=1",
                "ZED=last");
        assertThat(process.get("cwd").asString()).isEqualTo("/srv/app");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(1000);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(2000);
        assertThat(config.get("hostname").asString()).isEqualTo("web-1");
        assertThat(config.get("ociVersion").asString()).isEqualTo("1.0.2");
        assertThat(config.get("root").get("path").asString()).isEqualTo("rootfs");
        assertThat(config.get("root").get("readonly").asBoolean()).isFalse();
    }

    @Test
    void theSpecsOwnPathReplacesTheDefault() {
        JsonNode env = build(spec(Map.of("PATH", "/app/bin"), null, null, null)).get("process").get("env");

        assertThat(strings(env)).containsExactly("HOSTNAME=web-1", "HOME=/", "PATH=/app/bin");
    }

    @Test
    void defaultsAreRootInTheRootDirectory() {
        JsonNode process = build(spec(null, null, null, null)).get("process");

        assertThat(process.get("user").get("uid").asInt()).isZero();
        assertThat(process.get("user").get("gid").asInt()).isZero();
        assertThat(process.get("cwd").asString()).isEqualTo("/");
    }

    @Test
    void theKernelFileSystemsAreMountedAsRuncDoes() {
        JsonNode mounts = build(spec(null, null, null, null)).get("mounts");

        List<String> destinations = new ArrayList<>();
        mounts.forEach(m -> destinations.add(m.get("destination").asString() + " " + m.get("type").asString()));
        assertThat(destinations).containsExactly("/proc proc", "/dev tmpfs", "/dev/pts devpts", "/dev/shm tmpfs",
                "/dev/mqueue mqueue", "/sys sysfs", "/sys/fs/cgroup cgroup");
        assertThat(strings(mounts.get(2).get("options"))).containsExactly("nosuid", "noexec", "newinstance",
                "ptmxmode=0666", "mode=0620", "gid=5");
        assertThat(strings(mounts.get(5).get("options"))).contains("ro");
        assertThat(strings(mounts.get(6).get("options"))).contains("ro");
    }

    @Test
    void theOnlyHostPathsAreTheThreeReadOnlyEtcFiles() {
        BundleRequest request = new BundleRequest(spec(null, null, null, null), ProcessUser.ofNumbers(spec(null, null, null, null).user()), TEAM_3, "wharf/team-3/ctr-c1",
                Path.of("/var/lib/wharf/containers/c1/hosts"), Path.of("/var/lib/wharf/containers/c1/resolv.conf"),
                Path.of("/var/lib/wharf/containers/c1/hostname"));

        JsonNode mounts = builder.build(request).get("mounts");

        List<JsonNode> binds = new ArrayList<>();
        mounts.forEach(m -> {
            if (m.get("type").asString().equals("bind") || m.get("source").asString().startsWith("/")) {
                binds.add(m);
            }
        });
        assertThat(binds).extracting(m -> m.get("destination").asString() + " <- " + m.get("source").asString())
                .containsExactly("/etc/hosts <- /var/lib/wharf/containers/c1/hosts",
                        "/etc/resolv.conf <- /var/lib/wharf/containers/c1/resolv.conf",
                        "/etc/hostname <- /var/lib/wharf/containers/c1/hostname");
        binds.forEach(m -> assertThat(strings(m.get("options"))).containsExactly("bind", "ro", "nosuid", "nodev", "noexec"));
    }

    @Test
    void eachEtcFileIsMountedOnlyWhenGiven() {
        BundleRequest request = new BundleRequest(spec(null, null, null, null), ProcessUser.ofNumbers(spec(null, null, null, null).user()), TEAM_3, "wharf/team-3/ctr-c1", null,
                Path.of("/var/lib/wharf/containers/c1/resolv.conf"), null);

        JsonNode mounts = builder.build(request).get("mounts");

        assertThat(mounts).hasSize(8);
        assertThat(mounts.get(7).get("destination").asString()).isEqualTo("/etc/resolv.conf");
    }

    @Test
    void aRequestWithRelativeHostFilesOrAnEscapingCgroupPathIsRefused() {
        ContainerSpec spec = spec(null, null, null, null);

        assertThatThrownBy(() -> new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/team-3/ctr-c1", Path.of("hosts"), null, null))
                .isInstanceOf(RuntimeFailure.class)
                .extracting(e -> ((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/../../escape", null, null, null))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("cgroupsPath");
        assertThatThrownBy(() -> new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, " ", null, null, null))
                .isInstanceOf(RuntimeFailure.class);
    }

    @Test
    void jsonIsThePrettyPrintedTree() {
        BundleRequest request = request(spec(null, null, null, new Resources(1.0, null, null)));

        String json = builder.json(request);

        assertThat(json).contains("\n  \"process\"");
        assertThat(JsonMapper.builder().build().readTree(json).toString()).isEqualTo(builder.build(request).toString());
    }

    @Test
    void onThisHostTheBuilderUsesTheHostsProfileAndAnOpenFilesLimitRuncCanSet() {
        JsonNode config = new OciSpecBuilder().build(request(spec(null, null, null, null)));

        assertThat(config.get("linux").get("seccomp")).isEqualTo(SeccompProfiles.forHost());
        JsonNode nofile = config.get("process").get("rlimits").get(0);
        assertThat(nofile.get("hard").asLong()).isEqualTo(NofileLimit.forHost()).isPositive().isLessThanOrEqualTo(1_048_576);
    }

    @Test
    void buildsDoNotShareTheSeccompProfile() {
        ObjectNode first = build(spec(null, null, null, null));
        ((ObjectNode) first.get("linux").get("seccomp")).put("defaultAction", "SCMP_ACT_ALLOW");

        ObjectNode second = build(spec(null, null, null, null));

        assertThat(second.get("linux").get("seccomp").get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
    }

    private static ContainerSpec withOptions(List<VolumeMount> volumes, RunOptions options) {
        return new ContainerSpec("c1", "web-1", 3, new Rootfs.Directory(Path.of("/srv/rootfs")), List.of("/bin/sh", "-c", "echo hi"),
                null, null, null, null, null, volumes, null, options);
    }

    private static final Path INIT = Path.of("/usr/bin/tini-static");

    @Test
    void anInitRunsAsPid1FromAReadOnlyBindOfTheHostsStaticInitAndRunsTheCommand() {
        ContainerSpec spec = withOptions(List.of(), new RunOptions(true, List.of(), false, null));
        ObjectNode config = builder.build(new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/team-3/ctr-c1",
                null, null, null, List.of(), INIT));

        assertThat(strings(config.get("process").get("args"))).containsExactly("/dev/init", "--", "/bin/sh", "-c", "echo hi");
        List<String> destinations = new ArrayList<>();
        config.get("mounts").forEach(m -> destinations.add(m.get("destination").asString()));
        assertThat(destinations.indexOf("/dev/init")).as("after runc's /dev tmpfs, on which it needs no mount point in the image")
                .isGreaterThan(destinations.indexOf("/dev"));
        JsonNode init = config.get("mounts").get(destinations.indexOf("/dev/init"));
        assertThat(init.get("type").asString()).isEqualTo("bind");
        assertThat(init.get("source").asString()).isEqualTo("/usr/bin/tini-static");
        assertThat(strings(init.get("options"))).containsExactly("bind", "ro", "nosuid", "nodev");
    }

    @Test
    void withoutInitTheCommandIsPid1AndNoHostBinaryIsMounted() {
        ContainerSpec spec = withOptions(List.of(), RunOptions.DEFAULT);
        ObjectNode config = builder.build(new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/team-3/ctr-c1",
                null, null, null, List.of(), INIT));

        assertThat(strings(config.get("process").get("args"))).containsExactly("/bin/sh", "-c", "echo hi");
        config.get("mounts").forEach(m -> assertThat(m.get("source").asString()).isNotEqualTo(INIT.toString()));
        assertThatThrownBy(() -> new BundleRequest(withOptions(List.of(), new RunOptions(true, List.of(), false, null)),
                ProcessUser.ofNumbers("0"), TEAM_3, "wharf/team-3/ctr-c1", null, null, null, List.of(), null))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("init");
    }

    @Test
    void tmpfsMountsAreNosuidNodevWorldWritableOfTheirSizeAndMountedParentsFirst() {
        ContainerSpec spec = withOptions(List.of(new VolumeMount("data", "/data", false), new VolumeMount("conf", "/etc", true)),
                new RunOptions(false, List.of(new TmpfsMount("/data/cache", 8 << 20), new TmpfsMount("/run/", 65536)), true, null));
        ObjectNode config = builder.build(new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), TEAM_3, "wharf/team-3/ctr-c1",
                Path.of("/var/lib/wharf/containers/c1/hosts"), null, null,
                List.of(new BundleRequest.VolumeBind(Path.of("/v/data"), "/data", false),
                        new BundleRequest.VolumeBind(Path.of("/v/conf"), "/etc", true))));

        List<String> destinations = new ArrayList<>();
        config.get("mounts").forEach(m -> destinations.add(m.get("destination").asString() + " " + m.get("type").asString()));
        assertThat(destinations.subList(7, destinations.size())).containsExactly("/data bind", "/etc bind", "/run tmpfs",
                "/etc/hosts bind", "/data/cache tmpfs");
        JsonNode cache = config.get("mounts").get(11);
        assertThat(cache.get("source").asString()).isEqualTo("tmpfs");
        assertThat(strings(cache.get("options"))).containsExactly("nosuid", "nodev", "mode=1777", "size=8388608");
        assertThat(config.get("root").get("readonly").asBoolean()).isTrue();
    }
}
