package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.VolumeMount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** container.json: what a runtime restarted on an existing data directory reads back. */
class ContainerRecordTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aRecordWrittenByTheHandWrittenWriterIsReadAndWrittenBackUnchanged() throws IOException {
        String old = resource("container-with-network.json");
        ContainerRecord record = ContainerRecord.fromJson(old);

        assertThat(record.spec.id()).isEqualTo("c0ffee42");
        assertThat(record.spec.teamId()).isEqualTo(7);
        assertThat(record.spec.rootfs()).isEqualTo(new Rootfs.Image("sha256:" + "ab".repeat(32)));
        assertThat(record.spec.args()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(record.spec.env()).isEqualTo(Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello world"));
        assertThat(record.spec.resources()).isEqualTo(new Resources(0.5, 64L * 1024 * 1024, null));
        assertThat(record.spec.volumes()).containsExactly(new VolumeMount("data", "/data", false), new VolumeMount("conf", "/etc/app", true));
        assertThat(record.spec.network()).isEqualTo(new NetworkSpec(NetworkSpec.Mode.TEAM, List.of("api"),
                List.of(new PortMapping(80, 18080, "tcp", "127.0.0.1"))));
        assertThat(record.state).isEqualTo(ContainerState.EXITED);
        assertThat(record.pid).isEqualTo(4242);
        assertThat(record.exitCode).isEqualTo(137);
        assertThat(record.oomKilled).isTrue();
        assertThat(record.createdAt).isEqualTo(Instant.parse("2026-11-30T10:15:30.123456Z"));
        assertThat(record.finishedAt).isEqualTo(Instant.parse("2026-11-30T11:00:00.5Z"));
        assertThat(record.ipAddress).isEqualTo("10.88.3.5");
        assertThat(record.networkResult).isEqualTo("{\"cniVersion\":\"1.0.0\"}");

        // a spec's environment has no order of its own, so the fields are compared, not the text
        assertThat(JSON.readTree(record.toJson())).as("the on-disk format is unchanged").isEqualTo(JSON.readTree(old));
    }

    @Test
    void aDirectoryRootfsWithNoLimitsIsWrittenAsBefore() throws IOException {
        String old = resource("container-directory.json");
        ContainerRecord record = ContainerRecord.fromJson(old);
        assertThat(record.spec.rootfs()).isEqualTo(new Rootfs.Directory(Path.of("/srv/rootfs")));
        assertThat(record.spec.resources()).isEqualTo(Resources.UNLIMITED);
        assertThat(record.exitCode).isNull();
        assertThat(record.finishedAt).isNull();
        assertThat(record.toJson() + "\n").as("the on-disk format is unchanged, to the byte").isEqualTo(old);
    }

    @Test
    void aRecordFromBeforeVolumesAndNetworksReadsAsNoneOfThem() throws IOException {
        ContainerRecord record = ContainerRecord.fromJson(resource("container-before-networks.json"));
        assertThat(record.spec.volumes()).isEmpty();
        assertThat(record.spec.network()).isEqualTo(NetworkSpec.NONE);
        assertThat(record.ipAddress).isNull();
        assertThat(record.networkResult).isNull();
        assertThat(record.state).isEqualTo(ContainerState.RUNNING);
        assertThat(record.pid).isEqualTo(99);
    }

    @Test
    void aRecordSurvivesItsOwnRoundTrip() throws IOException {
        ContainerRecord record = ContainerRecord.fromJson(resource("container-with-network.json"));
        ContainerRecord again = ContainerRecord.fromJson(record.toJson());
        assertThat(again.info()).isEqualTo(record.info());
        assertThat(again.networkResult).isEqualTo(record.networkResult);
    }

    @Test
    void aHealthCheckAndWhatItFoundSurviveTheRoundTrip() throws IOException {
        ContainerRecord plain = ContainerRecord.fromJson(resource("container-directory.json"));
        HealthCheck check = new HealthCheck(List.of("CMD-SHELL", "test -f /tmp/ok"), Duration.ofSeconds(2), Duration.ofMillis(1500),
                Duration.ofSeconds(30), 4);
        ContainerSpec s = plain.spec;
        ContainerRecord record = new ContainerRecord(new ContainerSpec(s.id(), s.name(), s.teamId(), s.rootfs(), s.args(), s.env(),
                s.workingDir(), s.user(), s.resources(), s.stopSignal(), s.volumes(), s.network(),
                new RunOptions(false, List.of(), false, check)), plain.createdAt);
        record.state = ContainerState.RUNNING;
        Instant probed = Instant.parse("2026-12-01T08:00:00.123456789Z");
        record.health = new Health(Health.Status.UNHEALTHY, 4, List.of(new Health.Probe(probed, probed.plusMillis(30), 1, "no \"ok\"\n")));

        ContainerRecord again = ContainerRecord.fromJson(record.toJson());
        assertThat(again.spec.options().healthCheck()).isEqualTo(check);
        assertThat(again.health).isEqualTo(record.health);
        assertThat(again.info()).isEqualTo(record.info());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ContainerRecordTests.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
