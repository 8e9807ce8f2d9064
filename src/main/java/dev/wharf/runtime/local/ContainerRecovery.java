package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.process.RuncProcessDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the node's view of its containers when the runtime opens on an existing data directory:
 * each {@code container.json} is read back, and runc and conmon's exit files say what happened
 * while the runtime was down. Containers still running keep running (and their health checks go on
 * from the health they had); a creation that never finished is removed.
 */
final class ContainerRecovery {

    private static final Logger log = LoggerFactory.getLogger(ContainerRecovery.class);

    private final ContainerStore store;
    private final RootFilesystems rootfs;
    private final ExitWatcher exits;
    private final HealthMonitor health;
    private final RuncProcessDriver driver;
    private final long idMapBase;
    private final Clock clock;

    ContainerRecovery(ContainerStore store, RootFilesystems rootfs, ExitWatcher exits, HealthMonitor health, RuncProcessDriver driver,
            long idMapBase, Clock clock) {
        this.store = store;
        this.rootfs = rootfs;
        this.exits = exits;
        this.health = health;
        this.driver = driver;
        this.idMapBase = idMapBase;
        this.clock = clock;
    }

    void recover() {
        Map<String, RuncProcessDriver.RuncState> runc = new HashMap<>();
        driver.list().forEach(s -> runc.put(s.id(), s));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store.dir())) {
            for (Path dir : dirs) {
                ContainerRecord record = ContainerStore.read(dir);
                if (record == null) {
                    log.warn("removing {}: a container creation that never finished", dir);
                    rootfs.remove(dir);
                    PrivateTrees.deleteTree(dir);
                    continue;
                }
                PrivateTrees.secureContainer(dir, IdMapping.forTeam(record.spec.teamId(), idMapBase));
                store.restore(record);
                reconcile(record, Optional.ofNullable(runc.get(record.spec.id())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read containers in " + store.dir(), e);
        }
    }

    private void reconcile(ContainerRecord record, Optional<RuncProcessDriver.RuncState> state) {
        if (record.state == ContainerState.RUNNING && state.map(s -> s.status().equals("running")).orElse(false)) {
            record.pid = state.get().pid();
            log.info("container {} is still running (pid {})", record.spec.id(), record.pid);
            health.recovered(record);
        } else if (record.state == ContainerState.RUNNING) {
            synchronized (record) {
                exits.markExited(record);
                if (record.state == ContainerState.RUNNING) {
                    record.state = ContainerState.EXITED;
                    record.finishedAt = clock.instant();
                    store.persist(record);
                    log.warn("container {} was running but runc no longer knows it; marked exited with no exit code", record.spec.id());
                }
            }
        } else if (record.state == ContainerState.CREATED && state.isEmpty()) {
            record.state = ContainerState.EXITED;
            store.persist(record);
        }
    }
}
