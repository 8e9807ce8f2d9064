package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.NodeTrust;
import dev.wharf.runtime.api.RuntimeConnector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In every mode, the {@link RuntimeConnector} the control plane reaches its nodes with, over the
 * {@link NodeTrust} the control plane provides (its client certificate and Wharf's CA).
 */
@Configuration
class RemoteConfiguration {

    /** Without the control plane's trust (a node process), a connector that refuses: only a control plane dials nodes. */
    @Bean
    RuntimeConnector runtimeConnector(ObjectProvider<NodeTrust> trust) {
        NodeTrust known = trust.getIfAvailable();
        if (known == null) {
            return (url, credential) -> {
                throw new IllegalStateException("only a control plane (wharf.mode all or server) reaches nodes");
            };
        }
        return RemoteRuntime.connector(known);
    }
}
