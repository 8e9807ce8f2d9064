package dev.wharf.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** The plugin configurations a container joins its team's network with, and the leases host-local keeps. */
class CniPluginsTests {

    @TempDir
    Path dir;

    private CniPlugins plugins() {
        return new CniPlugins(Path.of("/usr/lib/cni"), dir.resolve("ipam"), new NetworkNames("wharf"));
    }

    @Test
    void aContainerWithoutPortsGetsTheBridgeAndTheFirewall() {
        List<ObjectNode> configs = plugins().configs(7, Ipv4Subnet.parse("10.89.3.0/24"), List.of());

        assertThat(configs).hasSize(2);
        assertThat(configs.get(0).toString()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"name\":\"wharf-team-7\",\"type\":\"bridge\","
                + "\"bridge\":\"wharf7\",\"isGateway\":true,\"ipMasq\":false,\"hairpinMode\":true,\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + dir.resolve("ipam") + "\",\"ranges\":[[{\"subnet\":\"10.89.3.0/24\",\"gateway\":\"10.89.3.1\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}");
        assertThat(configs.get(1).toString()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"name\":\"wharf-team-7\",\"type\":\"firewall\","
                + "\"backend\":\"iptables\"}");
    }

    @Test
    void publishedPortsAddThePortmapPlugin() {
        List<ObjectNode> configs = plugins().configs(7, Ipv4Subnet.parse("10.89.3.0/24"),
                List.of(new PortMapping(80, 8080, "tcp", null), new PortMapping(53, 5353, "udp", "127.0.0.1")));

        assertThat(configs).hasSize(3);
        assertThat(configs.get(2).toString()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"name\":\"wharf-team-7\",\"type\":\"portmap\","
                + "\"capabilities\":{\"portMappings\":true},\"snat\":true,\"runtimeConfig\":{\"portMappings\":["
                + "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
                + "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}]}}");
    }

    @Test
    void theLeaseHoldersAreTheContainerIdsInHostLocalsFiles() throws Exception {
        assertThat(plugins().leaseHolders()).isEmpty();
        Path network = Files.createDirectories(dir.resolve("ipam/wharf-team-7"));
        Files.writeString(network.resolve("10.89.3.2"), "c1\neth0");
        Files.writeString(network.resolve("10.89.3.3"), "c2\neth0");
        Files.writeString(network.resolve("last_reserved_ip.0"), "10.89.3.3");
        Files.writeString(network.resolve("lock"), "");

        assertThat(plugins().leaseHolders()).containsExactlyInAnyOrder("c1", "c2");

        plugins().forgetLeases(7);
        assertThat(network).doesNotExist();
    }
}
