package dev.wharf.runtime.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.VolumeMount;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code containers/<id>/container.json}: a {@link ContainerRecord} as it is kept on disk, bound by
 * Jackson. Fields that older versions did not write ({@code volumes}, {@code network},
 * {@code options}, {@code ipAddress}, {@code networkResult}, {@code health}) read as none.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ContainerFile(Spec spec, ContainerState state, String ipAddress, String networkResult, int pid, Integer exitCode,
        boolean oomKilled, Instant createdAt, Instant startedAt, Instant finishedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Health health) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The container's spec; its root filesystem is an image ({@code rootfsImage}) or a host directory ({@code rootfsDirectory}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Spec(String id, String name, long teamId, @JsonInclude(JsonInclude.Include.NON_NULL) String rootfsImage,
            @JsonInclude(JsonInclude.Include.NON_NULL) String rootfsDirectory, List<String> args, Map<String, String> env,
            String workingDir, String user, Limits resources, String stopSignal, List<Volume> volumes, Network network,
            @JsonInclude(JsonInclude.Include.NON_NULL) RunOptions options) {
    }

    record Limits(Double cpus, Long memoryBytes, Long pids) {
    }

    record Volume(String name, String path, boolean readOnly) {
    }

    record Network(NetworkSpec.Mode mode, List<String> aliases, List<Port> ports) {
    }

    record Port(int containerPort, int hostPort, String protocol, String hostIp) {
    }

    static String write(ContainerRecord record) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(of(record));
    }

    static ContainerRecord read(String json) {
        return JSON.readValue(json, ContainerFile.class).toRecord();
    }

    static ContainerFile of(ContainerRecord record) {
        ContainerSpec s = record.spec;
        Resources r = s.resources();
        Spec spec = new Spec(s.id(), s.name(), s.teamId(), s.rootfs() instanceof Rootfs.Image image ? image.digest() : null,
                s.rootfs() instanceof Rootfs.Directory directory ? directory.path().toString() : null, s.args(), s.env(),
                s.workingDir(), s.user(), new Limits(r.cpus(), r.memoryBytes(), r.pids()), s.stopSignal(),
                s.volumes().stream().map(v -> new Volume(v.name(), v.path(), v.readOnly())).toList(),
                new Network(s.network().mode(), s.network().aliases(), s.network().ports().stream()
                        .map(p -> new Port(p.containerPort(), p.hostPort(), p.protocol(), p.hostIp())).toList()),
                s.options().equals(RunOptions.DEFAULT) ? null : s.options()); // the default is written as before: not at all
        return new ContainerFile(spec, record.state, record.ipAddress, record.networkResult, record.pid, record.exitCode,
                record.oomKilled, record.createdAt, record.startedAt, record.finishedAt, record.health);
    }

    ContainerRecord toRecord() {
        Limits r = spec.resources();
        ContainerSpec containerSpec = new ContainerSpec(spec.id(), spec.name(), spec.teamId(),
                spec.rootfsImage() != null ? new Rootfs.Image(spec.rootfsImage()) : new Rootfs.Directory(Path.of(spec.rootfsDirectory())),
                spec.args(), spec.env(), spec.workingDir(), spec.user(), new Resources(r.cpus(), r.memoryBytes(), r.pids()),
                spec.stopSignal(), spec.volumes() == null ? List.of()
                        : spec.volumes().stream().map(v -> new VolumeMount(v.name(), v.path(), v.readOnly())).toList(),
                network(spec.network()), spec.options());
        ContainerRecord record = new ContainerRecord(containerSpec, createdAt);
        record.state = state;
        record.pid = pid;
        record.exitCode = exitCode;
        record.oomKilled = oomKilled;
        record.startedAt = startedAt;
        record.finishedAt = finishedAt;
        record.ipAddress = ipAddress;
        record.networkResult = networkResult;
        record.health = health;
        return record;
    }

    private static NetworkSpec network(Network network) {
        if (network == null) {
            return NetworkSpec.NONE;
        }
        return new NetworkSpec(network.mode(), network.aliases() == null ? List.of() : network.aliases(),
                network.ports() == null ? List.of() : network.ports().stream()
                        .map(p -> new PortMapping(p.containerPort(), p.hostPort(), p.protocol(), p.hostIp())).toList());
    }
}
