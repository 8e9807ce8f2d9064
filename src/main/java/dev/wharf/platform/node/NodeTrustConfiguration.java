package dev.wharf.platform.node;

import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.runtime.api.NodeTrust;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The control plane's side of node TLS: at each start a replica gets a fresh client certificate
 * from Wharf's CA (its key stays in memory) and trusts only that CA when it dials a node.
 * {@code wharf.node.allow-plain-http} (default false) lets a test lab use {@code http://} node URLs.
 */
@Configuration
class NodeTrustConfiguration {

    static final Duration CLIENT_VALIDITY = Duration.ofDays(365);

    @Bean
    NodeTrust nodeTrust(CertificateAuthority authority, Clock clock,
            @Value("${wharf.node.allow-plain-http:false}") boolean allowPlainHttp) {
        CertificateAuthority.Identity identity = authority.issueClient(NodeTrust.CONTROL_PLANE, clock.instant(), CLIENT_VALIDITY);
        return new NodeTrust(authority.context(identity), allowPlainHttp);
    }
}
