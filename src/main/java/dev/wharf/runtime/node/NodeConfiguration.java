package dev.wharf.runtime.node;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The node's wiring, in {@code node} mode only: the join at start ({@link JoinAtStart}) and the
 * node's TLS listener. (The control plane's side, how it reaches nodes, is {@code runtime.remote}.)
 */
@Configuration
@ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
class NodeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(NodeConfiguration.class);

    /**
     * Before the web server starts: joins the control plane if this node has not (its answer
     * brings the certificate the node serves with), then serves {@code /node/v1} over TLS with
     * that certificate, asking every caller for a client certificate signed by Wharf's CA
     * ({@link NodeSecurityConfiguration} refuses calls without one). Plain HTTP only when the
     * advertised URL is {@code http://} and {@code wharf.node.allow-plain-http} is on. A failed
     * join or a missing certificate stops the node.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableWebServerFactory> nodeTls(NodeSettings settings, NodeCredential credential,
            Environment environment) {
        return new NodeTlsCustomizer() {
            @Override
            public void customize(ConfigurableWebServerFactory factory) {
                NodeIdentity identity = new NodeIdentity(credential.file().getParent().getParent());
                String host = hostName();
                String port = environment.getProperty("server.port", "8080");
                String name = blank(settings.name()) ? host : settings.name().strip();
                String url = blank(settings.advertiseUrl()) ? "https://" + host + ":" + port : settings.advertiseUrl().strip();
                boolean tls = "https".equalsIgnoreCase(URI.create(url).getScheme());
                if (!tls && !settings.allowPlainHttp()) {
                    throw new IllegalStateException("wharf.node.advertise-url " + url + " is plain http: a node serves its protocol"
                            + " over TLS only; advertise https://… (wharf.node.allow-plain-http=true allows http, for a test lab only)");
                }
                new JoinAtStart().joinIfNeeded(settings.server(), settings.joinToken(), name, url,
                        credential, identity);
                if (!tls) {
                    log.warn("this node serves its protocol over plain http (wharf.node.allow-plain-http): a test lab only");
                    return;
                }
                if (!identity.exists()) {
                    throw new IllegalStateException("this node has no certificate in " + identity.certificate().getParent()
                            + ": it gets one when it joins; set wharf.node.server and wharf.node.join-token (a node that joined"
                            + " before nodes used TLS: remove " + credential.file() + " and join again with a new token)");
                }
                Ssl ssl = new Ssl();
                ssl.setEnabled(true);
                ssl.setCertificate("file:" + identity.certificate());
                ssl.setCertificatePrivateKey("file:" + identity.key());
                ssl.setTrustCertificate("file:" + identity.authority());
                ssl.setClientAuth(Ssl.ClientAuth.WANT); // the health probe needs none; every other path does
                ssl.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                factory.setSsl(ssl);
            }

            @Override
            public String toString() {
                return "node TLS";
            }
        };
    }

    /** Runs after Spring Boot's own customizers, so the listener's TLS is this node's whatever server.ssl says. */
    private abstract static class NodeTlsCustomizer implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }
}
