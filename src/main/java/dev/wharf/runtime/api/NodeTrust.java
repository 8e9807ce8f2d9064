package dev.wharf.runtime.api;

import javax.net.ssl.SSLContext;

/**
 * How the control plane talks to its nodes: over TLS with {@code tls} (it presents the control
 * plane's client certificate and trusts only Wharf's own CA, which signed every node's certificate
 * for the host the node is reached at), and never over plain {@code http} unless
 * {@code allowPlainHttp} (a test lab; {@code wharf.node.allow-plain-http}).
 */
public record NodeTrust(SSLContext tls, boolean allowPlainHttp) {

    /**
     * The common name of the control plane's client certificate: a node accepts no other, so a
     * certificate the same CA gave anyone else (a Docker API client) does not open a node.
     */
    public static final String CONTROL_PLANE = "wharf-control-plane";

    public NodeTrust {
        if (tls == null) {
            throw new IllegalArgumentException("a TLS context is required");
        }
    }
}
