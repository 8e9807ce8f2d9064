package dev.wharf.runtime.agent;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a node joins its control plane ({@code wharf.node.*}); used in {@code node} mode only.
 *
 * @param server       the server's base URL ({@code https://wharf.example.org})
 * @param joinToken    the one-time join token an admin created on the server; never logged
 * @param name         the node's name on the server (default: this host's name)
 * @param advertiseUrl where the server reaches this node (default {@code http://<host name>:<server.port>})
 */
@ConfigurationProperties("wharf.node")
public record NodeSettings(String server, String joinToken, String name, String advertiseUrl) {

    @Override
    public String toString() {
        return "NodeSettings[server=" + server + ", joinToken=" + (joinToken == null ? null : "***") + ", name=" + name
                + ", advertiseUrl=" + advertiseUrl + "]";
    }
}
