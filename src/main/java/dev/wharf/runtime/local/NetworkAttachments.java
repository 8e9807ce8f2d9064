package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.network.TeamNetworks;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers on their team's network: an address and published ports from the moment runc has
 * created a container's process until it exits. Created-but-never-started containers hold no
 * address; exited ones give theirs back.
 */
final class NetworkAttachments {

    private static final Logger log = LoggerFactory.getLogger(NetworkAttachments.class);

    private final TeamNetworks networks;
    private final ContainerStore store;
    private final ContainerFiles files;
    /** held while checking and publishing host ports, so two containers never get the same one */
    private final Object portLock = new Object();

    NetworkAttachments(TeamNetworks networks, ContainerStore store, ContainerFiles files) {
        this.networks = networks;
        this.store = store;
        this.files = files;
    }

    /**
     * Puts a container that runc has created and not yet started (its first process waits in
     * runc-init, its network namespace exists) on its team's network, publishes its ports and
     * tells the team's other containers its name.
     */
    void attach(ContainerRecord record) {
        ContainerSpec spec = record.spec;
        if (spec.network().mode() != NetworkSpec.Mode.TEAM) {
            return;
        }
        String netns = "/proc/" + record.pid + "/ns/net";
        List<PortMapping> ports = spec.network().ports();
        if (ports.isEmpty()) {
            record.attached(networks.attach(spec.id(), spec.teamId(), netns, List.of()));
        } else {
            synchronized (portLock) { // the check, and the record that this container now publishes the ports, at once
                List<PortMapping> published = store.all().stream()
                        .filter(r -> r != record && r.networkResult != null).flatMap(r -> r.spec.network().ports().stream()).toList();
                networks.checkHostPorts(ports, published);
                record.attached(networks.attach(spec.id(), spec.teamId(), netns, ports));
            }
        }
        store.persist(record);
        files.refreshHosts(spec.teamId());
    }

    /** Releases a container's address and published ports (its namespace may be gone already); never throws. */
    void detach(ContainerRecord record) {
        if (record.networkResult == null) {
            return;
        }
        try {
            networks.detach(record.spec.id(), record.spec.teamId(), record.networkResult, record.spec.network().ports());
        } catch (RuntimeException e) {
            log.warn("could not fully release the network of container {}: {}", record.spec.id(), e.getMessage());
        }
        record.attached(null);
        if (store.contains(record.spec.id())) {
            store.persist(record);
        }
        files.refreshHosts(record.spec.teamId());
    }

    /** After a restart: releases what exited containers and half-made ones held while the runtime was down. */
    void releaseAfterRestart() {
        for (ContainerRecord record : store.all()) {
            synchronized (record) {
                if (record.state == ContainerState.EXITED && record.networkResult != null) {
                    detach(record);
                }
            }
        }
        for (String holder : networks.leaseHolders()) {
            ContainerRecord record = store.find(holder);
            if (record == null || record.networkResult == null) {
                log.warn("releasing the address of container {}, which no longer has a network", holder);
                networks.releaseOrphan(holder);
            }
        }
    }
}
