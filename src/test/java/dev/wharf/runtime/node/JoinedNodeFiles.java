package dev.wharf.runtime.node;

import dev.wharf.platform.pki.CertificateAuthority;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * For tests outside this package (the client's, {@code RemoteRuntimeTests}): the files a node
 * has once it joined, written as {@link JoinAtStart} writes them, without a control plane.
 */
public final class JoinedNodeFiles {

    /** The node side's request handler, by name (to find its threads in a stack dump). */
    public static final String CONTROLLER = NodeApiController.class.getName();

    private JoinedNodeFiles() {
    }

    /** The node's certificate (signed by {@code authority} for {@code host}) and its keys, as stored. */
    public record Identity(X509Certificate certificate, KeyPair keys) {
    }

    /** Writes the node credential into {@code dataDir}, as a join does. */
    public static void writeCredential(Path dataDir, String credential) {
        new NodeCredential(dataDir).write(credential);
    }

    /** Where the node keeps its credential (0600). */
    public static Path credentialFile(Path dataDir) {
        return new NodeCredential(dataDir).file();
    }

    /** Makes the node's key, has {@code authority} sign its certificate for {@code host}, and stores both with the CA. */
    public static Identity storeIdentity(Path dataDir, CertificateAuthority authority, String name, String host) {
        NodeIdentity.Request request = NodeIdentity.request(name);
        X509Certificate certificate = authority.signServer(request.pem(), name, host, Instant.now(), Duration.ofDays(1));
        new NodeIdentity(dataDir).store(request, CertificateAuthority.pem(certificate), authority.certificatePem());
        return new Identity(certificate, request.keys());
    }
}
