package dev.wharf.platform.docker;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * The Docker port: a second Tomcat connector on {@code wharf.docker.port} that speaks TLS only and
 * requires a client certificate signed by {@link DockerAuthority} (no other authority is trusted; a
 * client without one fails the handshake). It serves the same application, but {@link DockerPortGate}
 * lets through it only the Docker API, and keeps the Docker API off every other connector.
 */
@Component
class DockerConnector implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final DockerSettings settings;
    private final DockerAuthority authority;
    private volatile Connector connector;

    DockerConnector(DockerSettings settings, DockerAuthority authority) {
        this.settings = settings;
        this.authority = authority;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        if (!settings.enabled()) {
            return;
        }
        Connector docker = new Connector(Http11NioProtocol.class.getName());
        docker.setPort(settings.port());
        docker.setScheme("https");
        docker.setSecure(true);
        docker.setProperty("socket.appWriteBufSize", Integer.toString(64 * 1024));
        docker.setAsyncTimeout(-1); // streams (pull progress, logs -f, events) last as long as the client listens, as with Docker
        Http11NioProtocol protocol = (Http11NioProtocol) docker.getProtocolHandler();
        protocol.setSSLEnabled(true);
        char[] password = HexFormat.of().formatHex(randomBytes()).toCharArray();
        SSLHostConfig tls = new SSLHostConfig();
        tls.setProtocols("TLSv1.2+TLSv1.3");
        tls.setCertificateVerification("required");
        tls.setTrustStore(authority.trustStore());
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(tls, SSLHostConfigCertificate.Type.EC);
        certificate.setCertificateKeystore(authority.serverKeyStore(password));
        certificate.setCertificateKeystorePassword(new String(password));
        certificate.setCertificateKeyAlias("docker");
        tls.addCertificate(certificate);
        protocol.addSslHostConfig(tls);
        factory.addAdditionalConnectors(docker);
        connector = docker;
    }

    /** Whether the Docker port is served. */
    boolean enabled() {
        return connector != null;
    }

    /** The port it listens on (the one the system chose when {@code wharf.docker.port} is 0); -1 before it started or when off. */
    int port() {
        Connector docker = connector;
        return docker == null ? -1 : docker.getLocalPort();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
