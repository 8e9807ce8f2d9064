package dev.wharf.runtime.api;

import java.net.URI;

/**
 * Reaches the runtime service of a node that runs in its own process ({@code node} mode) over
 * HTTP. The returned service fulfils the same contract as the in-process one; a node that does
 * not answer makes its methods throw {@link RuntimeFailure} of kind {@code UNAVAILABLE}.
 */
public interface RuntimeConnector {

    /**
     * @param url        the node's base URL (what it advertised when it joined)
     * @param credential the secret the node was given when it joined; sent on every call, never logged
     */
    RuntimeService connect(URI url, String credential);
}
