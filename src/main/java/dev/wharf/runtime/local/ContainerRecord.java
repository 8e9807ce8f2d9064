package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.VolumeMount;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The runtime's record of one container, kept in memory and in {@code containers/<id>/container.json}. Guarded by its own monitor. */
final class ContainerRecord {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    final ContainerSpec spec;
    final Instant createdAt;
    ContainerState state = ContainerState.CREATED;
    int pid;
    Integer exitCode;
    boolean oomKilled;
    Instant startedAt;
    Instant finishedAt;
    /** the container's address on its team's bridge and the CNI result, while attached (from runc create to exit) */
    volatile String ipAddress;
    volatile String networkResult;

    ContainerRecord(ContainerSpec spec, Instant createdAt) {
        this.spec = spec;
        this.createdAt = createdAt;
    }

    /** On its team's network with this attachment, or ({@code null}) off it. */
    void attached(dev.wharf.runtime.network.TeamNetworks.Attachment attachment) {
        ipAddress = attachment == null ? null : attachment.ipAddress();
        networkResult = attachment == null ? null : attachment.result();
    }

    ContainerInfo info() {
        return new ContainerInfo(spec.id(), spec.name(), spec.teamId(), state, state == ContainerState.EXITED ? 0 : pid, exitCode,
                oomKilled, createdAt, startedAt, finishedAt, spec, ipAddress);
    }

    String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode s = root.putObject("spec");
        s.put("id", spec.id());
        s.put("name", spec.name());
        s.put("teamId", spec.teamId());
        if (spec.rootfs() instanceof Rootfs.Image image) {
            s.put("rootfsImage", image.digest());
        } else {
            s.put("rootfsDirectory", ((Rootfs.Directory) spec.rootfs()).path().toString());
        }
        spec.args().forEach(s.putArray("args")::add);
        ObjectNode env = s.putObject("env");
        spec.env().forEach(env::put);
        s.put("workingDir", spec.workingDir());
        s.put("user", spec.user());
        ObjectNode resources = s.putObject("resources");
        resources.put("cpus", spec.resources().cpus());
        resources.put("memoryBytes", spec.resources().memoryBytes());
        resources.put("pids", spec.resources().pids());
        s.put("stopSignal", spec.stopSignal());
        var volumes = s.putArray("volumes");
        spec.volumes().forEach(v -> volumes.addObject().put("name", v.name()).put("path", v.path()).put("readOnly", v.readOnly()));
        ObjectNode network = s.putObject("network");
        network.put("mode", spec.network().mode().name());
        spec.network().aliases().forEach(network.putArray("aliases")::add);
        var ports = network.putArray("ports");
        spec.network().ports().forEach(p -> ports.addObject().put("containerPort", p.containerPort()).put("hostPort", p.hostPort())
                .put("protocol", p.protocol()).put("hostIp", p.hostIp()));
        root.put("state", state.name());
        root.put("ipAddress", ipAddress);
        root.put("networkResult", networkResult);
        root.put("pid", pid);
        root.put("exitCode", exitCode);
        root.put("oomKilled", oomKilled);
        root.put("createdAt", String.valueOf(createdAt));
        root.put("startedAt", startedAt == null ? null : startedAt.toString());
        root.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static List<VolumeMount> volumes(JsonNode array) {
        List<VolumeMount> volumes = new ArrayList<>();
        array.forEach(v -> volumes.add(new VolumeMount(v.get("name").asString(), v.get("path").asString(), v.get("readOnly").asBoolean())));
        return volumes;
    }

    private static NetworkSpec network(JsonNode network) {
        if (network.isMissingNode()) {
            return NetworkSpec.NONE;
        }
        List<String> aliases = new ArrayList<>();
        network.path("aliases").forEach(a -> aliases.add(a.asString()));
        List<PortMapping> ports = new ArrayList<>();
        network.path("ports").forEach(p -> ports.add(new PortMapping(p.get("containerPort").asInt(), p.get("hostPort").asInt(),
                p.get("protocol").asString(), p.get("hostIp").asString())));
        return new NetworkSpec(NetworkSpec.Mode.valueOf(network.get("mode").asString()), aliases, ports);
    }

    static ContainerRecord fromJson(String json) {
        JsonNode root = JSON.readTree(json);
        JsonNode s = root.get("spec");
        List<String> args = new ArrayList<>();
        s.get("args").forEach(a -> args.add(a.asString()));
        Map<String, String> env = new LinkedHashMap<>();
        s.get("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().asString()));
        JsonNode r = s.get("resources");
        Resources resources = new Resources(r.get("cpus").isNull() ? null : r.get("cpus").asDouble(),
                r.get("memoryBytes").isNull() ? null : r.get("memoryBytes").asLong(), r.get("pids").isNull() ? null : r.get("pids").asLong());
        ContainerSpec spec = new ContainerSpec(s.get("id").asString(), s.get("name").asString(), s.get("teamId").asLong(),
                s.has("rootfsImage") ? new Rootfs.Image(s.get("rootfsImage").asString())
                        : new Rootfs.Directory(Path.of(s.get("rootfsDirectory").asString())), args, env, s.get("workingDir").asString(),
                s.get("user").asString(), resources, s.get("stopSignal").asString(), volumes(s.path("volumes")),
                network(s.path("network")));
        ContainerRecord record = new ContainerRecord(spec, Instant.parse(root.get("createdAt").asString()));
        record.state = ContainerState.valueOf(root.get("state").asString());
        record.pid = root.get("pid").asInt();
        record.exitCode = root.get("exitCode").isNull() ? null : root.get("exitCode").asInt();
        record.oomKilled = root.get("oomKilled").asBoolean();
        record.startedAt = root.get("startedAt").isNull() ? null : Instant.parse(root.get("startedAt").asString());
        record.finishedAt = root.get("finishedAt").isNull() ? null : Instant.parse(root.get("finishedAt").asString());
        record.ipAddress = root.path("ipAddress").isNull() ? null : root.path("ipAddress").asString(null);
        record.networkResult = root.path("networkResult").isNull() ? null : root.path("networkResult").asString(null);
        return record;
    }
}
