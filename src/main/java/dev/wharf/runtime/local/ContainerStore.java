package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The containers this node knows: in memory, and each in {@code containers/<id>/container.json}
 * (a {@link ContainerFile}) so that a restarted runtime finds them again. A record's own monitor
 * guards its state; the store's change lock guards what is added and removed.
 */
final class ContainerStore {

    private final Path dir;
    private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();
    /**
     * Held while a container, an image or a volume is added or removed, so that what was checked
     * (a free name, an image or a volume no container uses) still holds when the change is made.
     */
    private final Object changes = new Object();

    ContainerStore(Path dir) {
        this.dir = dir;
    }

    /** {@code containers/} */
    Path dir() {
        return dir;
    }

    /** The directory of a container: its bundle, log, monitor files and {@code container.json}. */
    Path dirOf(String id) {
        return dir.resolve(id);
    }

    Object changeLock() {
        return changes;
    }

    /** The container {@code id}, or a not-found failure. */
    ContainerRecord get(String id) {
        ContainerRecord record = id == null ? null : containers.get(id);
        if (record == null) {
            throw RuntimeFailure.notFound("container " + id + " not found");
        }
        return record;
    }

    /** The container {@code id}, or {@code null}. */
    ContainerRecord find(String id) {
        return containers.get(id);
    }

    boolean contains(String id) {
        return containers.containsKey(id);
    }

    Collection<ContainerRecord> all() {
        return containers.values();
    }

    Stream<ContainerRecord> ofTeam(long teamId) {
        return containers.values().stream().filter(c -> c.spec.teamId() == teamId);
    }

    /** Adds a new container, refusing a second one with its id, or with its name in its team. */
    void add(ContainerRecord record) {
        ContainerSpec spec = record.spec;
        synchronized (changes) {
            if (containers.containsKey(spec.id())) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "container " + spec.id() + " already exists");
            }
            boolean nameTaken = ofTeam(spec.teamId()).anyMatch(c -> c.spec.name().equals(spec.name()));
            if (nameTaken) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS,
                        "team " + spec.teamId() + " already has a container named " + spec.name());
            }
            containers.put(spec.id(), record);
        }
    }

    /** Takes back a container read from disk when the runtime opens. */
    void restore(ContainerRecord record) {
        containers.put(record.spec.id(), record);
    }

    void forget(String id) {
        containers.remove(id);
    }

    /** Writes the record's {@code container.json}, replacing the old one in one rename. */
    void persist(ContainerRecord record) {
        PrivateTrees.writeFile(dirOf(record.spec.id()).resolve("container.json"), PrivateTrees.PRIVATE_FILE, record.toJson());
    }

    /** The record in a container directory, or {@code null} when its creation never finished. */
    static ContainerRecord read(Path containerDir) throws IOException {
        Path file = containerDir.resolve("container.json");
        return Files.exists(file) ? ContainerRecord.fromJson(Files.readString(file)) : null;
    }

    ContainerInfo inspect(String id) {
        ContainerRecord record = get(id);
        synchronized (record) {
            return record.info();
        }
    }

    List<ContainerInfo> list() {
        return containers.values().stream().map(r -> {
            synchronized (r) {
                return r.info();
            }
        }).sorted(Comparator.comparing(ContainerInfo::createdAt)).toList();
    }
}
