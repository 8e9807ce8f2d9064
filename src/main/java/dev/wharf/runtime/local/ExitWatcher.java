package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.process.RuncProcessDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.util.OptionalInt;

/**
 * Turns the exit files conmon writes ({@code exits/<id>}) into exited containers: records the
 * exit code and an OOM kill, ends its health probes, takes the container off its network, wakes
 * whoever waits for the exit, and tells the event listeners.
 */
final class ExitWatcher implements AutoCloseable {

    private final RuncProcessDriver driver;
    private final CgroupManager cgroups;
    private final ContainerStore store;
    private final NetworkAttachments networks;
    private final HealthMonitor health;
    private final RuntimeEvents events;
    private final Clock clock;
    private WatchService watch;

    ExitWatcher(RuncProcessDriver driver, CgroupManager cgroups, ContainerStore store, NetworkAttachments networks,
            HealthMonitor health, RuntimeEvents events, Clock clock) {
        this.driver = driver;
        this.cgroups = cgroups;
        this.store = store;
        this.networks = networks;
        this.health = health;
        this.events = events;
        this.clock = clock;
    }

    /** Starts collecting exit files; call before reading the containers, so no exit falls between. */
    void register() {
        try {
            watch = driver.exitDir().getFileSystem().newWatchService();
            driver.exitDir().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the runtime's data directory", e);
        }
    }

    /** Handles the exits collected since {@link #register} and every later one, on a daemon thread. */
    void start() {
        Thread watcher = new Thread(this::watch, "wharf-exit-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void watch() {
        while (true) {
            WatchKey key;
            try {
                key = watch.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.context() instanceof Path name) {
                    handleExit(name.toString());
                } else {
                    store.all().forEach(r -> handleExit(r.spec.id()));
                }
            }
            key.reset();
        }
    }

    /** Marks a running container exited if conmon has written its exit. */
    void handleExit(String id) {
        ContainerRecord record = store.find(id);
        if (record == null) {
            return;
        }
        synchronized (record) {
            if (record.state == ContainerState.RUNNING) {
                markExited(record);
            }
        }
    }

    /** Records an exit conmon reported (called holding the record's monitor) and tells the listeners. */
    void markExited(ContainerRecord record) {
        String id = record.spec.id();
        OptionalInt code = driver.exitCode(id);
        if (code.isEmpty()) {
            return; // the exit file is created before it is written; the modify event follows
        }
        record.state = ContainerState.EXITED;
        health.stop(id);
        record.exitCode = code.getAsInt();
        record.oomKilled = cgroups.containerOomKills(record.spec.teamId(), id) > 0;
        record.finishedAt = clock.instant();
        // the listeners first (the platform writes the exit on a thread of its own meanwhile): the exit is true already
        // (conmon's exit file), and a crash before the record below is written finds that file again at recovery
        events.publish(new RuntimeEvent.ContainerExited(id, record.finishedAt, record.exitCode, record.oomKilled));
        if (record.oomKilled) {
            events.publish(new RuntimeEvent.ContainerOomKilled(id, record.finishedAt));
        }
        store.persist(record);
        networks.detach(record);
        record.notifyAll();
    }
}
