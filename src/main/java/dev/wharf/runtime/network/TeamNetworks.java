package dev.wharf.runtime.network;

import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The node's team networks, wired with the standard CNI plugins: each team has one Linux bridge
 * ({@code <prefix><team id>}) and one subnet cut from the pool ({@link SubnetLeases}); a container
 * joins it with a veth pair, accept rules and its published ports ({@link CniPlugins}). Teams are
 * kept apart, and the host closed to them, by iptables rules ({@link IptablesRules}). Nothing
 * serves DNS on the bridges (containers use the host's resolv.conf servers and their hosts file),
 * so no port is open there.
 *
 * <p>The container's network namespace is the one runc made for it (owned by the container's
 * user namespace, so binding ports below 1024 works and its processes, having no
 * {@code CAP_NET_ADMIN}, cannot change their address). Teardown works without it.
 *
 * <p>On disk, under the network directory: {@code teams/team-<id>.subnet} (the team's subnet),
 * {@code teams/team-<id>.outbound} (its outbound switch) and {@code ipam/} (host-local's address
 * leases).
 */
public final class TeamNetworks {

    private static final Logger log = LoggerFactory.getLogger(TeamNetworks.class);

    private final Path dir;
    private final NetworkNames names;
    private final SubnetLeases subnets;
    private final CniPlugins cni;
    private final IptablesRules rules;
    private final HostCommands commands = HostCommands.SYSTEM;
    private final Set<Long> readyTeams = ConcurrentHashMap.newKeySet();
    /** held while a team's rules are set up or it is removed */
    private final Object teamLock = new Object();

    /** What attaching a container gave it: its address and the CNI result, kept to detach it later. */
    public record Attachment(String ipAddress, String result) {
    }

    public TeamNetworks(Path dir, NetworkSettings settings) {
        this.dir = dir;
        this.names = new NetworkNames(settings.bridgePrefix());
        this.subnets = new SubnetLeases(dir.resolve("teams"), Ipv4Subnet.parse(settings.pool()), settings.teamPrefix(), names);
        this.cni = new CniPlugins(settings.cniPath(), dir.resolve("ipam"), names);
        this.rules = new IptablesRules(names, commands);
    }

    /** One line per thing this host lacks for team networks (empty when it has all). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(cni.problems());
        if (HostCommands.onPath("iptables").isEmpty()) {
            problems.add("iptables not found: install the iptables package");
        }
        return problems;
    }

    /** Reads the subnets given to teams before; call once at start. */
    public void open() {
        subnets.open();
    }

    /** The team's subnet on this node, given on first use. */
    public String subnetOf(long teamId) {
        return subnet(teamId).toString();
    }

    /** The team's bridge on this node. */
    public String bridgeOf(long teamId) {
        return names.bridge(teamId);
    }

    private Ipv4Subnet subnet(long teamId) {
        Ipv4Subnet known = subnets.get(teamId);
        if (known != null) {
            return known;
        }
        if (bridgeOf(teamId).length() > 15) {
            throw RuntimeFailure.invalid("team id " + teamId + " is too long for a bridge name with prefix " + names.prefix());
        }
        return subnets.lease(teamId);
    }

    /**
     * Refuses (ALREADY_EXISTS) when a host port is taken: by any socket on the host, or by
     * {@code published}, the ports this node already forwards to other containers.
     */
    public void checkHostPorts(List<PortMapping> ports, List<PortMapping> published) {
        HostPorts.checkFree(ports, published);
    }

    /**
     * Puts the container whose network namespace is {@code netns} on its team's bridge and
     * publishes its ports. On failure nothing of it is left.
     */
    public Attachment attach(String containerId, long teamId, String netns, List<PortMapping> ports) {
        Ipv4Subnet subnet = subnet(teamId);
        prepareTeam(teamId, subnet);
        JsonNode result = cni.add(containerId, netns, cni.configs(teamId, subnet, ports));
        rules.keepIsolationFirst();
        String ip = result.path("ips").path(0).path("address").asString("");
        if (ip.isEmpty()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "the bridge plugin gave container " + containerId + " no address");
        }
        return new Attachment(ip.substring(0, ip.indexOf('/')), result.toString());
    }

    /** Takes the container off its team's bridge and unpublishes its ports; its namespace may already be gone. */
    public void detach(String containerId, long teamId, String result, List<PortMapping> ports) {
        cni.delete(containerId, cni.configs(teamId, subnet(teamId), ports), result);
    }

    /** Container ids holding an address lease, by the lease files of host-local. */
    public Set<String> leaseHolders() {
        return cni.leaseHolders();
    }

    /** Releases the leases and rules of a container the node no longer knows (after a crash mid-create). */
    public void releaseOrphan(String containerId) {
        for (long team : subnets.teams()) {
            try {
                detach(containerId, team, null, List.of());
            } catch (RuntimeFailure e) {
                log.warn("could not release the network of lost container {}: {}", containerId, e.getMessage());
            }
        }
    }

    /**
     * Whether the team's containers may open connections beyond their bridge (on unless an admin
     * turned it off). On: their traffic is masqueraded. Off: not masqueraded, and new connections
     * from the bridge to anywhere else are dropped (replies to published ports still flow).
     * Takes effect at once, for running containers too.
     */
    public void setOutbound(long teamId, boolean enabled) {
        Ipv4Subnet subnet = subnet(teamId);
        prepareTeam(teamId, subnet);
        rules.setOutbound(teamId, subnet, enabled);
        NetworkFiles.write(outboundFile(teamId), enabled + "\n");
    }

    /**
     * Forgets a team that has no containers left on this node: its bridge, its rules, its
     * address leases and its subnet, which the next new team may get.
     */
    public void removeTeam(long teamId) {
        synchronized (teamLock) {
            Ipv4Subnet subnet = subnets.get(teamId);
            if (subnet == null) {
                return;
            }
            rules.removeTeam(teamId, subnet);
            commands.run(List.of("ip", "link", "delete", bridgeOf(teamId)));
            try {
                Files.deleteIfExists(outboundFile(teamId));
                cni.forgetLeases(teamId);
                subnets.release(teamId);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot forget the network of team " + teamId, e);
            }
            readyTeams.remove(teamId);
            log.info("team {} no longer has a network on this node; its subnet {} is free", teamId, subnet);
        }
    }

    /** The chains, the team's isolation exception and (by default) its masquerade rule, once per process. */
    private void prepareTeam(long teamId, Ipv4Subnet subnet) {
        if (readyTeams.contains(teamId)) {
            return;
        }
        synchronized (teamLock) {
            if (readyTeams.contains(teamId)) {
                return;
            }
            rules.prepareTeam(teamId);
            readyTeams.add(teamId);
            Path outbound = outboundFile(teamId);
            setOutbound(teamId, !Files.exists(outbound) || Boolean.parseBoolean(NetworkFiles.read(outbound).strip()));
        }
    }

    private Path outboundFile(long teamId) {
        return dir.resolve("teams").resolve("team-" + teamId + ".outbound");
    }

    /**
     * Removes everything this node's networks made on the host: bridges, chains, rules, leases.
     * For tests and for taking a node out of service; running containers lose their network.
     */
    public void removeAll() {
        for (long team : subnets.teams()) {
            commands.run(List.of("ip", "link", "delete", bridgeOf(team)));
        }
        rules.removeAll();
        readyTeams.clear();
    }
}
