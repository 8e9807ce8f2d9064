package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.Signals;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.process.RuncProcessDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Create, start, stop, kill and remove, and the commands run in a running container. A create
 * that fails halfway undoes what it did, last step first. Each container's state changes under
 * its record's monitor; exits arrive through the {@link ExitWatcher}.
 */
final class ContainerLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ContainerLifecycle.class);
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    /** How a container's process is run: the id mapping of its team, and the most its log may grow. */
    record Limits(long idMapBase, long logMaxBytes) {
    }

    private final ContainerStore store;
    private final RootFilesystems rootfs;
    private final TeamVolumes volumes;
    private final ContainerFiles files;
    private final NetworkAttachments networks;
    private final ExitWatcher exits;
    private final HealthMonitor health;
    private final RuntimeEvents events;
    private final RuncProcessDriver driver;
    private final CgroupManager cgroups;
    private final Limits limits;
    private final Clock clock;

    ContainerLifecycle(ContainerStore store, RootFilesystems rootfs, TeamVolumes volumes, ContainerFiles files,
            NetworkAttachments networks, ExitWatcher exits, HealthMonitor health, RuntimeEvents events, RuncProcessDriver driver,
            CgroupManager cgroups, Limits limits, Clock clock) {
        this.store = store;
        this.rootfs = rootfs;
        this.volumes = volumes;
        this.files = files;
        this.networks = networks;
        this.exits = exits;
        this.health = health;
        this.events = events;
        this.driver = driver;
        this.cgroups = cgroups;
        this.limits = limits;
        this.clock = clock;
    }

    /** Creates the container of an admitted spec (its team, root filesystem source and volumes checked, the volumes mounted). */
    ContainerInfo create(ContainerSpec spec) {
        ContainerRecord record = new ContainerRecord(spec, clock.instant());
        store.add(record);
        Deque<Runnable> undo = new ArrayDeque<>();
        Path dir = store.dirOf(spec.id());
        try {
            IdMapping ids = IdMapping.forTeam(spec.teamId(), limits.idMapBase());
            PrivateTrees.teamDirectory(dir, ids);
            undo.push(() -> PrivateTrees.deleteTree(dir));
            rootfs.mount(spec, ids, dir);
            undo.push(() -> rootfs.remove(dir));
            files.writeBundle(record, dir, ids);
            store.persist(record);
            undo.push(() -> driver.delete(spec.id(), true));
            undo.push(() -> cgroups.removeContainer(spec.teamId(), spec.id()));
            record.pid = runcCreate(spec, dir);
            store.persist(record);
            PrivateTrees.secureContainer(dir, ids); // conmon made the log and pid files with modes of its own
            log.info("created container {} ({}) of team {}", spec.id(), spec.name(), spec.teamId());
            return record.info();
        } catch (RuntimeException e) {
            store.forget(spec.id());
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e instanceof RuntimeFailure f ? f
                    : new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "create " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    private int runcCreate(ContainerSpec spec, Path dir) {
        int pid = driver.create(spec.id(), spec.name(), dir.resolve("bundle"), dir, dir.resolve("ctr.log"), limits.logMaxBytes());
        ContainerStdio.handOver(pid);
        return pid;
    }

    ContainerInfo start(String id) {
        ContainerRecord record = store.get(id);
        synchronized (record) {
            if (record.state == ContainerState.RUNNING) {
                throw RuntimeFailure.precondition("container " + id + " is already running");
            }
            if (record.state == ContainerState.EXITED) {
                recreate(record);
            }
            if (record.networkResult == null) {
                networks.attach(record); // a port taken meanwhile fails the start here, before the process runs
            }
            driver.start(id, record.pid);
            record.state = ContainerState.RUNNING;
            record.startedAt = clock.instant();
            record.finishedAt = null;
            record.exitCode = null;
            record.oomKilled = false;
            HealthMonitor.reset(record);
            store.persist(record);
            // under the monitor, which the exit watcher needs too: listeners hear of the start before its exit
            events.publish(new RuntimeEvent.ContainerStarted(id, record.startedAt));
        }
        health.started(record);
        // a very short-lived process may have ended before we marked it running
        driver.exitCode(id).ifPresent(code -> exits.handleExit(id));
        return record.info();
    }

    /** An exited container starts again like {@code docker start}: same filesystem, a fresh process. */
    private void recreate(ContainerRecord record) {
        ContainerSpec spec = record.spec;
        Path dir = store.dirOf(spec.id());
        driver.delete(spec.id(), true);
        volumes.mountFor(spec);
        rootfs.remount(spec, IdMapping.forTeam(spec.teamId(), limits.idMapBase()), dir);
        record.pid = runcCreate(spec, dir);
        record.state = ContainerState.CREATED;
    }

    ContainerInfo stop(String id, Duration timeout) {
        ContainerRecord record = store.get(id);
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                return record.info();
            }
            signal(record, record.spec.stopSignal());
            if (!awaitExit(record, timeout)) {
                log.info("container {} did not stop within {} s; killing it", id, timeout.toSeconds());
                signal(record, "KILL");
                if (!awaitExit(record, KILL_GRACE)) {
                    throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "stop " + id + ": still running after SIGKILL");
                }
            }
            return record.info();
        }
    }

    void kill(String id, String signal) {
        String normalized = Signals.normalize(signal);
        ContainerRecord record = store.get(id);
        synchronized (record) {
            requireRunning(record);
            signal(record, normalized);
        }
    }

    /** Removes a container and everything it had on the node; returns its spec. */
    ContainerSpec remove(String id, boolean force) {
        ContainerRecord record = store.get(id);
        synchronized (record) {
            if (record.state != ContainerState.EXITED && !force) {
                throw RuntimeFailure.precondition("container " + id + " is " + record.state.name().toLowerCase()
                        + "; stop it first or remove it with force");
            }
            health.stop(id);
            if (record.state == ContainerState.RUNNING) {
                signal(record, "KILL");
                awaitExit(record, KILL_GRACE);
            }
            networks.detach(record);
            Path dir = store.dirOf(id);
            driver.delete(id, true);
            cgroups.removeContainer(record.spec.teamId(), id);
            rootfs.remove(dir);
            try {
                Files.deleteIfExists(driver.exitDir().resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PrivateTrees.deleteTree(dir);
            store.forget(id);
        }
        log.info("removed container {}", id);
        return record.spec;
    }

    ExecResult exec(String id, ExecSpec spec) {
        requireRunning(id);
        return driver.exec(id, spec, store.dirOf(id));
    }

    TerminalSession openTerminal(String id, List<String> args, int cols, int rows) {
        if (args == null || args.isEmpty() || cols < 1 || rows < 1 || cols > 1000 || rows > 1000) {
            throw RuntimeFailure.invalid("a terminal needs a command and a size between 1x1 and 1000x1000");
        }
        requireRunning(id);
        return driver.terminal(id, args, cols, rows, store.dirOf(id));
    }

    private void requireRunning(String id) {
        ContainerRecord record = store.get(id);
        synchronized (record) {
            requireRunning(record);
        }
    }

    private static void requireRunning(ContainerRecord record) {
        if (record.state != ContainerState.RUNNING) {
            throw RuntimeFailure.precondition("container " + record.spec.id() + " is not running");
        }
    }

    /**
     * Sends a signal to every process of the container; with an init, all but {@code KILL} go to
     * PID 1 only, the init, which forwards them to the command once (as Docker signals).
     */
    private void signal(ContainerRecord record, String signal) {
        boolean all = !record.spec.options().init() || signal.equals("KILL");
        if (signal.equals("KILL") && record.state == ContainerState.RUNNING
                && driver.killInit(record.pid, store.dirOf(record.spec.id()))) {
            return;
        }
        try {
            driver.kill(record.spec.id(), signal, all);
        } catch (RuntimeFailure e) {
            if (driver.exitCode(record.spec.id()).isEmpty()) {
                throw e;
            }
        }
    }

    /** Waits (holding the record's monitor) until the exit watcher marks the container exited. */
    private boolean awaitExit(ContainerRecord record, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (record.state == ContainerState.RUNNING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (driver.exitCode(record.spec.id()).isPresent()) {
                exits.markExited(record);
                break;
            }
            try {
                record.wait(Math.min(Math.max(1, left / 1_000_000), 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "interrupted while stopping " + record.spec.id());
            }
        }
        return true;
    }
}
