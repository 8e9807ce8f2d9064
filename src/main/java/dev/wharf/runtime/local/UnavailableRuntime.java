package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeInfo;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of a host that cannot run containers: {@link #status()} says why, every command
 * fails as {@link RuntimeFailure.Kind#UNAVAILABLE} with the same lines, and the queries answer as
 * a node that has nothing (no containers, no images), which is what it has.
 */
final class UnavailableRuntime implements RuntimeService, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnavailableRuntime.class);

    private final List<String> problems;
    private final String cgroupVersion;
    private final long memoryBytes = HostChecks.memoryBytes();

    UnavailableRuntime(List<String> problems, String cgroupVersion) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a runtime is unavailable for a reason");
        }
        this.problems = List.copyOf(problems);
        this.cgroupVersion = cgroupVersion;
        problems.forEach(p -> log.warn("This host cannot run containers: {}", p));
    }

    /** What every command of this runtime fails with. */
    RuntimeFailure failure() {
        return new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "this node cannot run containers: " + String.join("; ", problems));
    }

    @Override
    public NodeStatus status() {
        return new NodeStatus(false, problems, Runtime.getRuntime().availableProcessors(), memoryBytes, cgroupVersion);
    }

    @Override
    public void close() {
        // holds nothing
    }

    @Override
    public void applyTeamLimits(TeamLimits limits) {
        throw failure();
    }

    @Override
    public void removeTeam(long teamId) {
        throw failure();
    }

    @Override
    public ContainerInfo create(ContainerSpec spec) {
        throw failure();
    }

    @Override
    public ContainerInfo start(String id) {
        throw failure();
    }

    @Override
    public ContainerInfo stop(String id, Duration timeout) {
        throw failure();
    }

    @Override
    public void kill(String id, String signal) {
        throw failure();
    }

    @Override
    public void remove(String id, boolean force) {
        throw failure();
    }

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        throw failure();
    }

    @Override
    public TerminalSession openTerminal(String id, List<String> args, int cols, int rows) {
        throw failure();
    }

    @Override
    public ImageInfo pullImage(long teamId, String reference, Function<String, RegistryCredentials> credentials,
            Consumer<PullProgress> progress) {
        throw failure();
    }

    @Override
    public ImageInfo importImage(long teamId, InputStream archive) {
        throw failure();
    }

    @Override
    public ImageInfo image(long teamId, String digest) {
        throw failure();
    }

    @Override
    public void removeImage(long teamId, String digest) {
        throw failure();
    }

    @Override
    public VolumeInfo createVolume(long teamId, String name, long sizeBytes) {
        throw failure();
    }

    @Override
    public List<VolumeInfo> volumes(long teamId) {
        throw failure();
    }

    @Override
    public void removeVolume(long teamId, String name) {
        throw failure();
    }

    @Override
    public List<ContainerInfo> list() {
        return List.of();
    }

    @Override
    public List<ImageInfo> images(long teamId) {
        return List.of();
    }

    @Override
    public ContainerInfo inspect(String id) {
        throw notFound(id);
    }

    @Override
    public Stream<LogLine> logs(String id, LogQuery query) {
        throw notFound(id);
    }

    @Override
    public ContainerStats stats(String id) {
        throw notFound(id);
    }

    @Override
    public long writableBytes(String id) {
        throw notFound(id);
    }

    @Override
    public AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        return () -> { }; // nothing happens here to tell
    }

    private static RuntimeFailure notFound(String id) {
        return RuntimeFailure.notFound("container " + id + " not found");
    }
}
