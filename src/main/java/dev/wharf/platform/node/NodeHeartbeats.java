package dev.wharf.platform.node;

import dev.wharf.platform.secret.SecretBox;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeConnector;
import dev.wharf.runtime.api.RuntimeFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Every replica sends each joined node a heartbeat ({@code status}) every
 * {@code wharf.node.heartbeat-interval}; a node that has not answered for
 * {@code wharf.node.down-after} is down, and one that comes back up is announced with
 * {@link NodeRegistry.NodeUp} so its teams' limits and containers are brought up to date.
 * What each heartbeat saw is written to the {@code nodes} table.
 */
@Component
class NodeHeartbeats {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeats.class);

    private final ObjectProvider<RuntimeConnector> connector;
    private final NodeStore store;
    private final SecretBox secrets;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration downAfter;
    private final Map<String, RemoteNode> remotes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "wharf-heartbeats");
        thread.setDaemon(true);
        return thread;
    });

    NodeHeartbeats(ObjectProvider<RuntimeConnector> connector, NodeStore store, SecretBox secrets, ApplicationEventPublisher events,
            Clock clock, @Value("${wharf.node.heartbeat-interval:5s}") Duration heartbeat,
            @Value("${wharf.node.down-after:15s}") Duration downAfter) {
        this.connector = connector;
        this.store = store;
        this.secrets = secrets;
        this.events = events;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.downAfter = downAfter;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startHeartbeats() {
        scheduler.scheduleWithFixedDelay(this::heartbeatQuietly, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    @jakarta.annotation.PreDestroy
    void stopHeartbeats() {
        scheduler.shutdownNow();
    }

    private void heartbeatQuietly() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            log.warn("node heartbeats failed; trying again in {} s", heartbeat.toSeconds(), e);
        }
    }

    /** One round: nodes that joined (on any replica) are picked up, revoked ones forgotten, every one asked for its status. */
    void heartbeat() {
        Set<String> joined = new HashSet<>();
        for (NodeStore.Row row : store.all()) {
            joined.add(row.name());
            RemoteNode known = remotes.get(row.name());
            if (known == null || !known.url.equals(row.url())) {
                try {
                    remotes.put(row.name(), connect(row));
                } catch (RuntimeException e) {
                    log.error("cannot reach node {}: its credential does not open with this server's key ({}); every replica needs"
                            + " the same wharf.secrets.key", row.name(), e.getMessage());
                }
            }
        }
        remotes.keySet().retainAll(joined);
        for (RemoteNode remote : remotes.values()) {
            beat(remote);
        }
    }

    private RemoteNode connect(NodeStore.Row row) {
        return new RemoteNode(row.name(), row.url(), connector.getObject().connect(row.url(), secrets.open(row.sealedCredential())),
                row.lastSeen());
    }

    private void beat(RemoteNode remote) {
        Instant now = clock.instant();
        boolean wasUp = remote.up;
        try {
            NodeStatus status = remote.runtime.status();
            remote.status = status;
            remote.lastSeen = now;
            remote.failure = null;
            remote.up = status.ready();
            store.heartbeat(remote.name, remote.state().value(), status.problems().isEmpty() ? null : String.join("\n", status.problems()),
                    status.cpus(), status.memoryBytes(), status.cgroupVersion(), now);
        } catch (RuntimeFailure e) {
            Instant since = remote.lastSeen;
            boolean gone = since == null || Duration.between(since, now).compareTo(downAfter) >= 0;
            remote.failure = "not answering" + (since == null ? "" : " since " + since) + ": " + e.getMessage();
            if (gone) {
                remote.up = false;
                store.heartbeat(remote.name, remote.state().value(), remote.failure, 0, 0, null, null);
            }
        }
        if (remote.up && !wasUp) {
            log.info("node {} at {} is up", remote.name, remote.url);
            events.publishEvent(new NodeRegistry.NodeUp(remote.name));
        } else if (!remote.up && wasUp) {
            log.warn("node {} at {} is down: {}", remote.name, remote.url, String.join("; ", remote.problems()));
        }
    }

    /** Knows a node that just joined at once on this replica (other replicas at their next heartbeat), and greets it soon. */
    void joined(String name) {
        store.find(name).ifPresent(row -> {
            RemoteNode remote = connect(row);
            remotes.put(name, remote);
            scheduler.schedule(() -> beat(remote), 500, TimeUnit.MILLISECONDS); // the node finishes starting meanwhile
        });
    }

    /** Forgets a revoked node at once on this replica (other replicas at their next heartbeat). */
    void forget(String name) {
        remotes.remove(name);
    }

    Optional<RemoteNode> find(String name) {
        return Optional.ofNullable(remotes.get(name));
    }

    /** The joined nodes this replica knows, by name. */
    List<RemoteNode> all() {
        return remotes.values().stream().sorted(Comparator.comparing(r -> r.name)).toList();
    }
}
