package dev.wharf.runtime.network;

import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.process.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The standard CNI plugins a container joins its team's network with: {@code bridge} (veth pair,
 * address from {@code host-local}, whose leases are kept in {@code <network dir>/ipam}),
 * {@code firewall} (accept rules for hosts whose FORWARD policy is DROP) and, when it publishes
 * ports, {@code portmap} (DNAT). Teardown works without the container's namespace: host-local
 * releases by container id, portmap by chain name, firewall from the cached result.
 */
final class CniPlugins {

    static final List<String> PLUGINS = List.of("bridge", "host-local", "firewall", "portmap");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(30);
    private static final String CNI_VERSION = "1.0.0";

    private final Path cniPath;
    private final Path ipamDir;
    private final NetworkNames names;

    CniPlugins(Path cniPath, Path ipamDir, NetworkNames names) {
        this.cniPath = cniPath;
        this.ipamDir = ipamDir;
        this.names = names;
    }

    /** A line when a plugin is missing (empty when all are there). */
    List<String> problems() {
        for (String plugin : PLUGINS) {
            if (!Files.isExecutable(cniPath.resolve(plugin))) {
                return List.of("CNI plugin " + plugin + " not found in " + cniPath + ": install the containernetworking-plugins package");
            }
        }
        return List.of();
    }

    /** The plugin configurations, in the order they are added, for a container of the team publishing {@code ports}. */
    List<ObjectNode> configs(long teamId, Ipv4Subnet subnet, List<PortMapping> ports) {
        String network = names.network(teamId);
        List<ObjectNode> plugins = new ArrayList<>();
        ObjectNode bridge = plugin(network, "bridge");
        bridge.put("bridge", names.bridge(teamId));
        bridge.put("isGateway", true);
        bridge.put("ipMasq", false);
        bridge.put("hairpinMode", true);
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDir.toString());
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

    private static ObjectNode plugin(String network, String type) {
        ObjectNode plugin = JSON.createObjectNode();
        plugin.put("cniVersion", CNI_VERSION);
        plugin.put("name", network);
        plugin.put("type", type);
        return plugin;
    }

    /** Adds the plugins in order, each given the one before's result; the last result. On failure the added ones are deleted. */
    JsonNode add(String containerId, String netns, List<ObjectNode> plugins) {
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
        return result;
    }

    /** Deletes the plugins in reverse order, all of them even when one fails; then throws the first failure. */
    void delete(String containerId, List<ObjectNode> plugins, String result) {
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

    private JsonNode invoke(String command, String containerId, String netns, ObjectNode plugin) {
        String type = plugin.get("type").asString();
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", cniPath.toString());
        env.put("PATH", HostCommands.searchPath());
        CommandRunner.Result result = CommandRunner.run(List.of(cniPath.resolve(type).toString()), env,
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

    /** Container ids holding an address lease, by the lease files of host-local. */
    Set<String> leaseHolders() {
        Set<String> holders = new HashSet<>();
        if (!Files.isDirectory(ipamDir)) {
            return holders;
        }
        try (Stream<Path> files = Files.walk(ipamDir, 2)) {
            files.filter(f -> f.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))
                    .forEach(f -> holders.add(NetworkFiles.read(f).split("\\s")[0].strip()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return holders;
    }

    /** Forgets every address lease of the team's network. */
    void forgetLeases(long teamId) throws IOException {
        dev.wharf.runtime.snapshot.FileTrees.delete(ipamDir.resolve(names.network(teamId)));
    }
}
