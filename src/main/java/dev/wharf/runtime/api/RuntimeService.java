package dev.wharf.runtime.api;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The runtime service of one node: turns container specs into isolated processes under the
 * team's cgroup. The control plane reaches it only through this contract — in process in
 * {@code all} mode, over HTTP in {@code server} mode.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   create ──► CREATED ──start──► RUNNING ──(process ends | stop | kill)──► EXITED
 *                 │                  │                                        │
 *                 └──────remove──────┴───remove(force)────────────────────────┴──remove──► gone
 * </pre>
 * <ul>
 * <li>{@link #create} prepares everything (team cgroup, root filesystem, OCI bundle, monitor)
 *     and leaves the process waiting. If any step fails, nothing it made is left behind.</li>
 * <li>{@link #start} lets the process run. {@code CREATED} containers start; an {@code EXITED} one
 *     starts again with the same filesystem and a fresh process (like {@code docker start}).</li>
 * <li>{@link #stop} sends the spec's stop signal, then {@code KILL} after the timeout.</li>
 * <li>{@link #remove} deletes the container and everything the runtime made for it. A running
 *     (or created) container needs {@code force}, which kills it first.</li>
 * <li>A runtime that restarts finds its containers again and leaves running ones running.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Every method throws {@link RuntimeFailure}: {@code NOT_FOUND} for an unknown container id,
 * {@code INVALID_ARGUMENT} for a bad spec, {@code ALREADY_EXISTS} for a reused id or name,
 * {@code FAILED_PRECONDITION} for an operation the state forbids, {@code UNAVAILABLE} when the
 * host cannot run containers (see {@link #status()}).
 */
public interface RuntimeService {

    /** Whether this node can run containers, its capacity, and what is missing if not. */
    NodeStatus status();

    /** Creates or updates the team's cgroup so its kernel limits equal {@code limits}. Idempotent. */
    void applyTeamLimits(TeamLimits limits);

    /**
     * Forgets a team this node no longer runs anything for: its cgroup, its network (bridge,
     * rules, subnet) and its limits. {@code FAILED_PRECONDITION} while it still has containers or
     * volumes here; nothing happens for a team the node does not know.
     */
    void removeTeam(long teamId);

    /** Prepares a container in state {@code CREATED}. Names are unique per team. */
    ContainerInfo create(ContainerSpec spec);

    /** {@code CREATED} or {@code EXITED} → {@code RUNNING}; a running container is {@code FAILED_PRECONDITION}. */
    ContainerInfo start(String id);

    /**
     * Asks the process to stop with the stop signal; sends {@code KILL} when it is still running
     * after {@code timeout}. Returns once it has exited. A container that is not running is left as it is.
     */
    ContainerInfo stop(String id, Duration timeout);

    /** Sends a signal ({@code TERM}, {@code KILL}, ...) to the container's processes; {@code RUNNING} only. */
    void kill(String id, String signal);

    /** Deletes the container; running or created ones only with {@code force}. */
    void remove(String id, boolean force);

    ContainerInfo inspect(String id);

    List<ContainerInfo> list();

    /**
     * The container's output, oldest first. With {@code follow} the stream delivers new lines as
     * they come and ends when the container has exited and everything was read; close it to stop early.
     */
    Stream<LogLine> logs(String id, LogQuery query);

    ContainerStats stats(String id);

    /**
     * Bytes the container has written to its own filesystem layer (on top of its image), as far
     * as measured now: walks its files, so call it now and then, not per request.
     */
    long writableBytes(String id);

    /** Runs a process in a {@code RUNNING} container and waits for it (killed after the spec's timeout). */
    ExecResult exec(String id, ExecSpec spec);

    /**
     * Starts {@code args} in a {@code RUNNING} container on a new pseudo-terminal of
     * {@code cols} x {@code rows}; the caller owns the session and must close it.
     */
    TerminalSession openTerminal(String id, java.util.List<String> args, int cols, int rows);

    /**
     * Pulls an image from its registry for team {@code teamId} (layers in parallel, every blob's
     * digest verified) and returns it as the team holds it. Manifest and config are always fetched
     * with the team's credentials; a layer the team already holds is not downloaded again, and a
     * layer stored here for another team is used only when the registry lets the team's
     * credentials read it. {@code credentials} gives the login for a registry host ({@code null}:
     * anonymous). {@code progress} hears about each layer's bytes as they arrive. Errors name the
     * reference: {@code NOT_FOUND} for an unknown tag, {@code INVALID_ARGUMENT} for a bad
     * reference, {@code UNAVAILABLE} for an unreachable registry.
     */
    ImageInfo pullImage(long teamId, String reference,
            java.util.function.Function<String, RegistryCredentials> credentials,
            java.util.function.Consumer<PullProgress> progress);

    /**
     * Imports an image archive ({@code docker save} or OCI archive, tar) for team {@code teamId};
     * returns the first image in it. Every blob in it is verified against its digest, also when
     * the node has it already: a blob that does not match is {@code INVALID_ARGUMENT} naming both digests.
     */
    ImageInfo importImage(long teamId, java.io.InputStream archive);

    /**
     * The images team {@code teamId} holds here (imported or pulled by it), under the names it gave
     * them. The {@link #create} of a container from an image the team does not hold is
     * {@code NOT_FOUND}, as if the node lacked it.
     */
    List<ImageInfo> images(long teamId);

    /** {@code NOT_FOUND} when the team does not hold it here (whether or not another team does). */
    ImageInfo image(long teamId, String digest);

    /**
     * Lets go of the team's hold on an image; {@code FAILED_PRECONDITION} while a container of the
     * team uses it (naming only the team's containers). The image, with whatever of its content and
     * unpacked layers no other image shares, is deleted once no team holds it and no container uses it.
     */
    void removeImage(long teamId, String digest);

    /**
     * Creates an empty volume of the team that holds at most {@code sizeBytes} (writes past it fail
     * with {@code ENOSPC}); {@code ALREADY_EXISTS} when the name is taken, {@code INVALID_ARGUMENT}
     * below {@link VolumeInfo#MIN_SIZE_BYTES} or beyond the node's disk.
     */
    VolumeInfo createVolume(long teamId, String name, long sizeBytes);

    /** The team's volumes on this node, with the space each uses now. */
    List<VolumeInfo> volumes(long teamId);

    /** Deletes a volume and its files; {@code FAILED_PRECONDITION} while a container mounts it. */
    void removeVolume(long teamId, String name);

    /** Delivers events to {@code listener} until the returned handle is closed. */
    AutoCloseable subscribe(Consumer<RuntimeEvent> listener);
}
