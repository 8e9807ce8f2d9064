package dev.wharf.runtime.node;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a node joins its control plane ({@code wharf.node.*}); used in {@code node} mode only.
 *
 * @param server       the server's base URL ({@code https://wharf.example.org})
 * @param joinToken    the one-time join token an admin created on the server; never logged
 * @param name         the node's name on the server (default: this host's name)
 * @param advertiseUrl where the server reaches this node (default {@code https://<host name>:<server.port>}); the node's
 *                     certificate is made for its host
 * @param allowPlainHttp whether an {@code http://} advertise URL is allowed: the node then serves its protocol without
 *                     TLS (a test lab only; the server must allow it too); default false
 */
@ConfigurationProperties("wharf.node")
public record NodeSettings(String server, String joinToken, String name, String advertiseUrl,
        @org.springframework.boot.context.properties.bind.DefaultValue("false") boolean allowPlainHttp) {

    @Override
    public String toString() {
        return "NodeSettings[server=" + server + ", joinToken=" + (joinToken == null ? null : "***") + ", name=" + name
                + ", advertiseUrl=" + advertiseUrl + ", allowPlainHttp=" + allowPlainHttp + "]";
    }
}
