package dev.wharf.runtime.network;

import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.process.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node's team networks, wired with the standard CNI plugins: each team has one Linux bridge
 * ({@code <prefix><team id>}) and one subnet cut from the pool; a container joins it with a veth
 * pair ({@code bridge} + {@code host-local}), accept rules for hosts whose FORWARD policy is DROP
 * ({@code firewall}) and its published ports ({@code portmap}, DNAT). Traffic from one team's
 * bridge to another's is dropped in the {@code <PREFIX>-ISOLATION} chain, which stays first in
 * FORWARD; outbound traffic of a team is masqueraded by one rule per team in {@code <PREFIX>-MASQ}
 * (not per container, so nothing is left behind when a container's namespace is already gone),
 * or, when an admin turned it off, new connections leaving the team's bridge are dropped.
 * Link-local destinations (169.254.0.0/16: cloud metadata services) are never forwarded from a
 * team's bridge. The host itself is closed to containers: {@code <PREFIX>-INPUT}, first in INPUT,
 * lets in from the teams' bridges only replies to connections the host opened (conntrack
 * ESTABLISHED,RELATED) and drops everything else, so a container reaches neither the Wharf API nor
 * any other host service on any host address (its own gateway, another team's, the host's LAN
 * address). Nothing serves DNS on the bridges (containers use the host's resolv.conf servers and
 * their hosts file), so no port is open there. Published ports still work: DNAT happens in
 * PREROUTING, so that traffic (from outside, and a container's hairpin to its own published port)
 * goes through FORWARD, not INPUT.
 *
 * <p>The container's network namespace is the one runc made for it (owned by the container's
 * user namespace, so binding ports below 1024 works and its processes, having no
 * {@code CAP_NET_ADMIN}, cannot change their address). Teardown works without it: host-local
 * releases by container id, portmap by chain name, firewall from the cached result.
 */
public final class TeamNetworks {

    private static final Logger log = LoggerFactory.getLogger(TeamNetworks.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(30);
    private static final String CNI_VERSION = "1.0.0";
    private static final List<String> PLUGINS = List.of("bridge", "host-local", "firewall", "portmap");

    private final Path dir;
    private final NetworkSettings settings;
    private final Ipv4Subnet pool;
    private final String isolationChain;
    private final String masqueradeChain;
    private final String inputChain;
    private final Map<Long, Ipv4Subnet> subnets = new ConcurrentHashMap<>();
    private final Set<Long> readyTeams = ConcurrentHashMap.newKeySet();
    private final Object subnetLock = new Object();
    /** when FORWARD's order was last checked (System.nanoTime); 0: not yet */
    private volatile long orderCheckedAt;

    /** What attaching a container gave it: its address and the CNI result, kept to detach it later. */
    public record Attachment(String ipAddress, String result) {
    }

    public TeamNetworks(Path dir, NetworkSettings settings) {
        this.dir = dir;
        this.settings = settings;
        this.pool = Ipv4Subnet.parse(settings.pool());
        String chainPrefix = settings.bridgePrefix().toUpperCase(Locale.ROOT);
        this.isolationChain = chainPrefix + "-ISOLATION";
        this.masqueradeChain = chainPrefix + "-MASQ";
        this.inputChain = chainPrefix + "-INPUT";
    }

    /** One line per thing this host lacks for team networks (empty when it has all). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String plugin : PLUGINS) {
            if (!Files.isExecutable(settings.cniPath().resolve(plugin))) {
                problems.add("CNI plugin " + plugin + " not found in " + settings.cniPath()
                        + ": install the containernetworking-plugins package");
                break;
            }
        }
        if (onPath("iptables").isEmpty()) {
            problems.add("iptables not found: install the iptables package");
        }
        return problems;
    }

    /** A binary on PATH or in the sbin directories a service's PATH may lack. */
    private static java.util.Optional<Path> onPath(String name) {
        return Stream.of(searchPath().split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable)
                .findFirst();
    }

    private static String searchPath() {
        return System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/local/sbin:/usr/sbin:/sbin";
    }

    /** Reads the subnets given to teams before; call once at start. */
    public void open() {
        try {
            Files.createDirectories(dir.resolve("teams"));
            try (Stream<Path> files = Files.list(dir.resolve("teams"))) {
                files.filter(f -> f.getFileName().toString().matches("team-\\d+\\.subnet")).forEach(f -> {
                    String name = f.getFileName().toString();
                    long team = Long.parseLong(name.substring(5, name.length() - 7));
                    subnets.put(team, Ipv4Subnet.parse(read(f).strip()));
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the team networks in " + dir, e);
        }
    }

    /** The team's subnet on this node, given on first use. */
    public String subnetOf(long teamId) {
        return subnet(teamId).toString();
    }

    /** The team's bridge on this node. */
    public String bridgeOf(long teamId) {
        return settings.bridgePrefix() + teamId;
    }

    private Ipv4Subnet subnet(long teamId) {
        Ipv4Subnet known = subnets.get(teamId);
        if (known != null) {
            return known;
        }
        synchronized (subnetLock) {
            known = subnets.get(teamId);
            if (known != null) {
                return known;
            }
            if (bridgeOf(teamId).length() > 15) {
                throw RuntimeFailure.invalid("team id " + teamId + " is too long for a bridge name with prefix " + settings.bridgePrefix());
            }
            int count = pool.count(settings.teamPrefix());
            for (int i = 0; i < count; i++) {
                Ipv4Subnet candidate = pool.child(settings.teamPrefix(), i);
                if (subnets.values().stream().noneMatch(candidate::overlaps)) {
                    write(dir.resolve("teams").resolve("team-" + teamId + ".subnet"), candidate + "\n");
                    subnets.put(teamId, candidate);
                    log.info("team {} has the subnet {} on bridge {}", teamId, candidate, bridgeOf(teamId));
                    return candidate;
                }
            }
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "the network pool " + pool + " has no free /"
                    + settings.teamPrefix() + " subnet left for team " + teamId + " (wharf.runtime.network.pool)");
        }
    }

    /**
     * Refuses (ALREADY_EXISTS) when a host port is taken: by any socket on the host, or by
     * {@code published}, the ports this node already forwards to other containers.
     */
    public void checkHostPorts(List<PortMapping> ports, List<PortMapping> published) {
        for (PortMapping port : ports) {
            for (PortMapping other : published) {
                if (port.clashesWith(other)) {
                    throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "host port " + port.hostIp() + ":" + port.hostPort()
                            + "/" + port.protocol() + " is already published by another container");
                }
            }
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(port.hostIp()), port.hostPort());
                if (port.protocol().equals("udp")) {
                    new DatagramSocket(address).close();
                } else {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.setReuseAddress(true);
                        socket.bind(address);
                    }
                }
            } catch (IOException e) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "host port " + port.hostIp() + ":" + port.hostPort() + "/"
                        + port.protocol() + " is already in use on the node (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * Puts the container whose network namespace is {@code netns} on its team's bridge and
     * publishes its ports. On failure nothing of it is left.
     */
    public Attachment attach(String containerId, long teamId, String netns, List<PortMapping> ports) {
        Ipv4Subnet subnet = subnet(teamId);
        prepareTeam(teamId, subnet);
        List<ObjectNode> plugins = plugins(teamId, subnet, ports);
        JsonNode result = null;
        int added = 0;
        try {
            for (ObjectNode plugin : plugins) {
                if (result != null) {
                    plugin.set("prevResult", result);
                }
                result = invoke("ADD", containerId, netns, plugin);
                added++;
            }
        } catch (RuntimeException e) {
            String partial = result == null ? null : result.toString();
            for (int i = added - 1; i >= 0; i--) {
                try {
                    delete(containerId, plugins.get(i), partial);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        keepIsolationFirst();
        String ip = result.path("ips").path(0).path("address").asString("");
        if (ip.isEmpty()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "the bridge plugin gave container " + containerId + " no address");
        }
        return new Attachment(ip.substring(0, ip.indexOf('/')), result.toString());
    }

    /** Takes the container off its team's bridge and unpublishes its ports; its namespace may already be gone. */
    public void detach(String containerId, long teamId, String result, List<PortMapping> ports) {
        Ipv4Subnet subnet = subnet(teamId);
        List<ObjectNode> plugins = plugins(teamId, subnet, ports);
        RuntimeFailure failure = null;
        for (int i = plugins.size() - 1; i >= 0; i--) {
            try {
                delete(containerId, plugins.get(i), result);
            } catch (RuntimeFailure e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void delete(String containerId, ObjectNode plugin, String result) {
        if (result != null) {
            plugin.set("prevResult", JSON.readTree(result));
        }
        invoke("DEL", containerId, "", plugin);
    }

    /** Container ids holding an address lease, by the lease files of host-local. */
    public Set<String> leaseHolders() {
        Set<String> holders = new HashSet<>();
        Path ipam = dir.resolve("ipam");
        if (!Files.isDirectory(ipam)) {
            return holders;
        }
        try (Stream<Path> files = Files.walk(ipam, 2)) {
            files.filter(f -> f.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))
                    .forEach(f -> holders.add(read(f).split("\\s")[0].strip()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return holders;
    }

    /** Releases the leases and rules of a container the node no longer knows (after a crash mid-create). */
    public void releaseOrphan(String containerId) {
        for (Map.Entry<Long, Ipv4Subnet> team : subnets.entrySet()) {
            try {
                detach(containerId, team.getKey(), null, List.of());
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
        toggle("nat", masqueradeChain, masqueradeRule(teamId, subnet), enabled, "masquerade team " + teamId);
        toggle("filter", isolationChain, blockRule(teamId), !enabled, "block outbound connections of team " + teamId);
        write(dir.resolve("teams").resolve("team-" + teamId + ".outbound"), enabled + "\n");
    }

    private static List<String> masqueradeRule(long teamId, Ipv4Subnet subnet) {
        return List.of("-s", subnet.toString(), "!", "-d", subnet.toString(), "-m", "comment", "--comment", "wharf team " + teamId,
                "-j", "MASQUERADE");
    }

    private List<String> blockRule(long teamId) {
        String bridge = bridgeOf(teamId);
        return List.of("-i", bridge, "!", "-o", bridge, "-m", "conntrack", "--ctstate", "NEW", "-m", "comment",
                "--comment", "wharf team " + teamId, "-j", "DROP");
    }

    private List<String> sameTeamRule(long teamId) {
        String bridge = bridgeOf(teamId);
        return List.of("-i", bridge, "-o", bridge, "-j", "RETURN");
    }

    /**
     * Forgets a team that has no containers left on this node: its bridge, its rules, its
     * address leases and its subnet, which the next new team may get.
     */
    public void removeTeam(long teamId) {
        synchronized (subnetLock) {
            Ipv4Subnet subnet = subnets.get(teamId);
            if (subnet == null) {
                return;
            }
            iptables("nat", "-D", masqueradeChain, masqueradeRule(teamId, subnet));
            iptables("filter", "-D", isolationChain, blockRule(teamId));
            iptables("filter", "-D", isolationChain, sameTeamRule(teamId));
            run(List.of("ip", "link", "delete", bridgeOf(teamId)));
            try {
                Files.deleteIfExists(dir.resolve("teams").resolve("team-" + teamId + ".outbound"));
                dev.wharf.runtime.snapshot.FileTrees.delete(dir.resolve("ipam").resolve(networkName(teamId)));
                Files.deleteIfExists(dir.resolve("teams").resolve("team-" + teamId + ".subnet"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot forget the network of team " + teamId, e);
            }
            subnets.remove(teamId);
            readyTeams.remove(teamId);
            log.info("team {} no longer has a network on this node; its subnet {} is free", teamId, subnet);
        }
    }

    private void toggle(String table, String chain, List<String> rule, boolean wanted, String what) {
        boolean present = iptables(table, "-C", chain, rule).ok();
        if (wanted && !present) {
            require(iptables(table, "-I", chain, Stream.concat(Stream.of("1"), rule.stream()).toList()), what);
        } else if (!wanted && present) {
            require(iptables(table, "-D", chain, rule), "undo: " + what);
        }
    }

    /** The chains, the team's isolation exception and (by default) its masquerade rule, once per process. */
    private void prepareTeam(long teamId, Ipv4Subnet subnet) {
        if (readyTeams.contains(teamId)) {
            return;
        }
        synchronized (subnetLock) {
            if (readyTeams.contains(teamId)) {
                return;
            }
            ensureChain("filter", isolationChain, "FORWARD");
            String wildcard = settings.bridgePrefix() + "+";
            List<String> drop = List.of("-i", wildcard, "-o", wildcard, "-j", "DROP");
            if (!iptables("filter", "-C", isolationChain, drop).ok()) {
                require(iptables("filter", "-A", isolationChain, drop), "add the team isolation rule");
            }
            List<String> linkLocal = List.of("-i", wildcard, "-d", "169.254.0.0/16", "-j", "DROP");
            if (!iptables("filter", "-C", isolationChain, linkLocal).ok()) {
                require(iptables("filter", "-A", isolationChain, linkLocal), "drop link-local destinations from team bridges");
            }
            closeHost(wildcard);
            List<String> sameTeam = sameTeamRule(teamId);
            if (!iptables("filter", "-C", isolationChain, sameTeam).ok()) {
                require(iptables("filter", "-I", isolationChain, Stream.concat(Stream.of("1"), sameTeam.stream()).toList()), "let team " + teamId + " talk to itself");
            }
            ensureChain("nat", masqueradeChain, "POSTROUTING");
            readyTeams.add(teamId);
            Path outbound = dir.resolve("teams").resolve("team-" + teamId + ".outbound");
            setOutbound(teamId, !Files.exists(outbound) || Boolean.parseBoolean(read(outbound).strip()));
        }
    }

    /** The host's own addresses answer a team's bridge only with replies: {@code <PREFIX>-INPUT}, jumped to first from INPUT. */
    private void closeHost(String bridges) {
        ensureChain("filter", inputChain, "INPUT");
        List<String> replies = List.of("-i", bridges, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN");
        List<String> rest = List.of("-i", bridges, "-j", "DROP");
        if (!iptables("filter", "-C", inputChain, replies).ok() || !iptables("filter", "-C", inputChain, rest).ok()) {
            require(iptables("filter", "-F", inputChain, List.of()), "reset " + inputChain);
            require(iptables("filter", "-A", inputChain, replies), "let replies from team bridges in to the host");
            require(iptables("filter", "-A", inputChain, rest), "close the host to team bridges");
        }
    }

    private void ensureChain(String table, String chain, String from) {
        if (!run(List.of("iptables", "-w", "-t", table, "-S", chain)).ok()) {
            CommandRunner.Result created = run(List.of("iptables", "-w", "-t", table, "-N", chain));
            if (!created.ok() && !created.stderr().contains("exists")) {
                throw failure("create the iptables chain " + chain, created);
            }
        }
        if (!iptables(table, "-C", from, List.of("-j", chain)).ok()) {
            require(iptables(table, "-I", from, List.of("1", "-j", chain)), "jump from " + from + " to " + chain);
        }
    }

    /**
     * The firewall plugin puts its accept chain first in FORWARD when it first runs (and other
     * tools, like Docker, put theirs first when they start); isolation must come before them.
     * Checked after the first attach and then at most every 30 s, not on every container start.
     */
    private void keepIsolationFirst() {
        long now = System.nanoTime();
        if (orderCheckedAt != 0 && now - orderCheckedAt < Duration.ofSeconds(30).toNanos()) {
            return;
        }
        orderCheckedAt = now;
        CommandRunner.Result rules = run(List.of("iptables", "-w", "-t", "filter", "-S", "FORWARD"));
        List<String> lines = rules.stdout().lines().filter(l -> l.startsWith("-A FORWARD")).toList();
        if (!lines.isEmpty() && lines.get(0).equals("-A FORWARD -j " + isolationChain)) {
            return;
        }
        while (iptables("filter", "-D", "FORWARD", List.of("-j", isolationChain)).ok()) {
            // remove every copy, then put one first
        }
        require(iptables("filter", "-I", "FORWARD", List.of("1", "-j", isolationChain)), "keep " + isolationChain + " first in FORWARD");
    }

    /**
     * Removes everything this node's networks made on the host: bridges, chains, rules, leases.
     * For tests and for taking a node out of service; running containers lose their network.
     */
    public void removeAll() {
        for (long team : subnets.keySet()) {
            run(List.of("ip", "link", "delete", bridgeOf(team)));
        }
        for (String[] chain : List.of(new String[] {"filter", isolationChain, "FORWARD"}, new String[] {"filter", inputChain, "INPUT"},
                new String[] {"nat", masqueradeChain, "POSTROUTING"})) {
            while (iptables(chain[0], "-D", chain[2], List.of("-j", chain[1])).ok()) {
                // every jump
            }
            iptables(chain[0], "-F", chain[1], List.of());
            iptables(chain[0], "-X", chain[1], List.of());
        }
        readyTeams.clear();
        orderCheckedAt = 0;
    }

    private List<ObjectNode> plugins(long teamId, Ipv4Subnet subnet, List<PortMapping> ports) {
        String network = networkName(teamId);
        List<ObjectNode> plugins = new ArrayList<>();
        ObjectNode bridge = plugin(network, "bridge");
        bridge.put("bridge", bridgeOf(teamId));
        bridge.put("isGateway", true);
        bridge.put("ipMasq", false);
        bridge.put("hairpinMode", true);
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", dir.resolve("ipam").toString());
        ObjectNode range = ipam.putArray("ranges").addArray().addObject();
        range.put("subnet", subnet.toString());
        range.put("gateway", subnet.gateway());
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        plugins.add(bridge);
        ObjectNode firewall = plugin(network, "firewall");
        firewall.put("backend", "iptables");
        plugins.add(firewall);
        if (!ports.isEmpty()) {
            ObjectNode portmap = plugin(network, "portmap");
            portmap.putObject("capabilities").put("portMappings", true);
            portmap.put("snat", true);
            ArrayNode mappings = portmap.putObject("runtimeConfig").putArray("portMappings");
            for (PortMapping port : ports) {
                ObjectNode m = mappings.addObject();
                m.put("hostPort", port.hostPort());
                m.put("containerPort", port.containerPort());
                m.put("protocol", port.protocol());
                if (!port.hostIp().equals("0.0.0.0")) {
                    m.put("hostIP", port.hostIp());
                }
            }
            plugins.add(portmap);
        }
        return plugins;
    }

    /** The CNI network's name; host-local keeps the team's leases in {@code ipam/<name>}. */
    private String networkName(long teamId) {
        return settings.bridgePrefix() + "-team-" + teamId;
    }

    private static ObjectNode plugin(String network, String type) {
        ObjectNode plugin = JSON.createObjectNode();
        plugin.put("cniVersion", CNI_VERSION);
        plugin.put("name", network);
        plugin.put("type", type);
        return plugin;
    }

    private JsonNode invoke(String command, String containerId, String netns, ObjectNode plugin) {
        String type = plugin.get("type").asString();
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", settings.cniPath().toString());
        env.put("PATH", searchPath());
        CommandRunner.Result result = CommandRunner.run(List.of(settings.cniPath().resolve(type).toString()), env,
                plugin.toString().getBytes(StandardCharsets.UTF_8), PLUGIN_TIMEOUT);
        if (!result.ok()) {
            String message = result.reason();
            try {
                JsonNode error = JSON.readTree(result.stdout());
                message = error.path("msg").asString(message) + (error.path("details").asString("").isEmpty() ? ""
                        : ": " + error.path("details").asString());
            } catch (RuntimeException notJson) {
                // keep the plain reason
            }
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "network " + command.toLowerCase(Locale.ROOT) + " of container "
                    + containerId + " (" + type + " plugin): " + message);
        }
        return command.equals("ADD") ? JSON.readTree(result.stdout()) : null;
    }

    private static CommandRunner.Result iptables(String table, String action, String chain, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", table, action, chain));
        command.addAll(rule);
        return run(command);
    }

    private static void require(CommandRunner.Result result, String what) {
        if (!result.ok()) {
            throw failure(what, result);
        }
    }

    private static RuntimeFailure failure(String what, CommandRunner.Result result) {
        return new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "network: cannot " + what + ": " + result.reason());
    }

    private static CommandRunner.Result run(List<String> command) {
        List<String> resolved = new ArrayList<>(command);
        onPath(command.get(0)).ifPresent(binary -> resolved.set(0, binary.toString()));
        return CommandRunner.run(resolved, Duration.ofSeconds(30));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, content);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
