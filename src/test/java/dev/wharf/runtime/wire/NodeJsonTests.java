package dev.wharf.runtime.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What crosses the wire between a control plane and a node reads back as it was written. */
class NodeJsonTests {

    @Test
    void specsEventsAndDurationsRoundTrip() {
        ContainerSpec spec = new ContainerSpec("abc123", "web", 7, new Rootfs.Image("sha256:" + "a".repeat(64)), List.of("/bin/sh", "-c", "x"),
                Map.of("A", "b"), "/srv", "1000:1000", new Resources(0.5, 64L << 20, 50L), "QUIT",
                List.of(new VolumeMount("data", "/data", true)),
                new NetworkSpec(NetworkSpec.Mode.TEAM, List.of("web.shop"), List.of(new PortMapping(80, 8080, "tcp", null))));
        assertThat(NodeJson.read(NodeJson.write(spec), ContainerSpec.class)).isEqualTo(spec);
        ContainerSpec directory = new ContainerSpec("d1", "d", 1, new Rootfs.Directory(Path.of("/var/tmp/rootfs")), List.of("/bin/true"),
                null, null, null, null, null);
        assertThat(NodeJson.read(NodeJson.write(directory), ContainerSpec.class)).isEqualTo(directory);

        Instant now = Instant.parse("2026-11-29T12:00:00.123456Z");
        for (RuntimeEvent event : List.of(new RuntimeEvent.ContainerStarted("a", now), new RuntimeEvent.ContainerExited("a", now, 137, true),
                new RuntimeEvent.ContainerOomKilled("a", now))) {
            String json = new String(NodeJson.write(event), StandardCharsets.UTF_8);
            assertThat(json).contains("\"2026-11-29T12:00:00.123456Z\"").contains("\"type\"");
            assertThat(NodeJson.read(json.getBytes(StandardCharsets.UTF_8), RuntimeEvent.class)).isEqualTo(event);
        }
        ExecSpec exec = new ExecSpec(List.of("ls"), null, null, Duration.ofSeconds(5));
        assertThat(new String(NodeJson.write(exec), StandardCharsets.UTF_8)).contains("\"PT5S\"");
        assertThat(NodeJson.read(NodeJson.write(exec), ExecSpec.class)).isEqualTo(exec);
    }

    @Test
    void aBodyTheContractRefusesKeepsTheContractsMessage() {
        byte[] negative = "{\"cpus\":null,\"memoryBytes\":-5,\"pids\":null}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> NodeJson.read(negative, Resources.class)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("memory must be at least 4Mi")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThatThrownBy(() -> NodeJson.read("{not json".getBytes(StandardCharsets.UTF_8), Resources.class))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("does not read");
    }
}
