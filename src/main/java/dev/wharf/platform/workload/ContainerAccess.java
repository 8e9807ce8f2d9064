package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Containers for other features (the Docker Engine API): the same services, checks, quota admission and audit as
 * REST and the dashboard, with public records in and out.
 */
@Component
public class ContainerAccess {

    private final ContainerManagement containers;
    private final JsonMapper json;

    ContainerAccess(ContainerManagement containers, JsonMapper json) {
        this.containers = containers;
        this.json = json;
    }

    /** What a client may ask for; null fields take the image's, the team's, then the platform's defaults. */
    public record Create(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
            String workingDir, String user, Map<String, String> labels, Double cpus, Long memoryBytes, Long pids, Integer stopTimeout,
            Boolean init, Boolean readOnlyRootfs, String network, String restartPolicy, boolean start) {
    }

    /** A container as stored and last seen. {@code state} is created, running, exited, restarting, removing or unknown. */
    public record Info(String id, String name, String image, String imageDigest, List<String> command, List<String> entrypoint,
            Map<String, String> env, String workingDir, String user, Map<String, String> labels, Double cpus, Long memoryBytes,
            Long pids, String restartPolicy, String desiredState, String state, String reason, Integer exitCode, boolean oomKilled,
            int restartCount, Instant createdAt, Instant startedAt, Instant finishedAt, String ipAddress, String network,
            int stopTimeout, boolean init, boolean readOnlyRootfs, String healthStatus, int healthFailingStreak) {
    }

    public Info create(Caller caller, String team, Create c) {
        Names.requireDnsLabel("name", c.name());
        ContainerRequest.ResourceRequest resources = c.cpus() == null && c.memoryBytes() == null && c.pids() == null ? null
                : new ContainerRequest.ResourceRequest(c.cpus(), c.memoryBytes() == null ? null : String.valueOf(c.memoryBytes()), c.pids());
        ContainerRequest request = new ContainerRequest(c.name(), c.image(), c.command(), c.env(), c.workingDir(), c.user(), null,
                resources, null, c.network(), null, c.restartPolicy(), c.start(), c.entrypoint(), c.labels(), null, c.stopTimeout(),
                c.init(), null, c.readOnlyRootfs());
        if (request.image() == null || request.image().isBlank()) {
            throw WharfException.invalidField("image", "image must not be blank");
        }
        return info(containers.create(caller, team, request));
    }

    public List<Info> list(Caller caller, String team) {
        return containers.list(caller, team, null).stream().map(this::info).toList();
    }

    public Info get(Caller caller, String team, String name) {
        return info(containers.get(caller, team, name));
    }

    public Info start(Caller caller, String team, String name) {
        return info(containers.start(caller, team, name));
    }

    /** {@code timeoutSeconds} null: the container's own stop timeout. */
    public Info stop(Caller caller, String team, String name, Integer timeoutSeconds) {
        return info(containers.stop(caller, team, name, ContainerController.stopTimeout(timeoutSeconds)));
    }

    public Info restart(Caller caller, String team, String name, Integer timeoutSeconds) {
        return info(containers.restart(caller, team, name, ContainerController.stopTimeout(timeoutSeconds)));
    }

    public void kill(Caller caller, String team, String name, String signal) {
        containers.kill(caller, team, name, signal);
    }

    public void delete(Caller caller, String team, String name, boolean force) {
        containers.delete(caller, team, name, force);
    }

    /** The container's log; close the stream (a followed one holds one of the caller's sessions). */
    public Stream<LogLine> logs(Caller caller, String team, String name, Instant since, Integer tail, boolean follow) {
        return containers.logs(caller, team, name, new LogQuery(since, tail, follow));
    }

    private Info info(Container c) {
        ContainerManagement.StoredSpec spec = json.readValue(c.getSpec(), ContainerManagement.StoredSpec.class);
        return new Info(c.getId(), c.getName(), c.getImage(), c.getImageDigest(), spec.command(), spec.entrypoint(),
                spec.env() == null ? Map.of() : spec.env(), spec.workingDir(), spec.user(), spec.labelsOrNone(), c.getCpus(),
                c.getMemoryBytes(), c.getPids(), c.getRestartPolicy().toString(), c.getDesiredState().value(), c.getState().value(),
                c.getStateReason(), c.getExitCode(), c.isOomKilled(), c.getRestartCount(), c.getCreatedAt(), c.getStartedAt(),
                c.getFinishedAt(), c.getIpAddress(), spec.network() == null ? "none" : spec.network(), spec.stopTimeoutOrDefault(),
                Boolean.TRUE.equals(spec.init()), Boolean.TRUE.equals(spec.readOnlyRootfs()), c.getHealthStatus(),
                c.getHealthFailingStreak());
    }
}
