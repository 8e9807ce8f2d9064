package dev.wharf.runtime.node;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The node's TLS identity in {@code <wharf.data-dir>/node/tls} (a 0700 directory): {@code node.key}
 * (0600; made on this node and never sent anywhere), {@code node.crt} (signed by Wharf's CA for the
 * host in the node's advertised URL) and {@code ca.crt} (the only issuer whose client certificates
 * the node accepts). The key and a certificate request are made at join time ({@link #request});
 * the files are written once the server's answer brings the certificate ({@link #store}).
 */
final class NodeIdentity {

    private final Path dir;

    NodeIdentity(Path dataDir) {
        this.dir = dataDir.resolve("node").resolve("tls");
    }

    Path key() {
        return dir.resolve("node.key");
    }

    Path certificate() {
        return dir.resolve("node.crt");
    }

    Path authority() {
        return dir.resolve("ca.crt");
    }

    boolean exists() {
        return Files.isRegularFile(key()) && Files.isRegularFile(certificate()) && Files.isRegularFile(authority());
    }

    /** A fresh key pair (EC P-256) and a PKCS#10 request for it, to be sent with the join. */
    record Request(KeyPair keys, String pem) {
    }

    static Request request(String name) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            var request = new JcaPKCS10CertificationRequestBuilder(
                    new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Wharf").addRDN(BCStyle.CN, name).build(), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(request);
            }
            return new Request(keys, pem.toString());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make this node's key and certificate request", e);
        }
    }

    /**
     * Writes the key of {@code request} and the certificates the server answered, after checking
     * that the certificate is for that key and signed by that CA.
     *
     * @throws IllegalArgumentException when the certificates do not read or do not match
     */
    void store(Request request, String certificatePem, String authorityPem) {
        X509Certificate certificate = certificate(certificatePem);
        X509Certificate authority = certificate(authorityPem);
        if (!certificate.getPublicKey().equals(request.keys().getPublic())) {
            throw new IllegalArgumentException("the certificate the server answered is not for this node's key");
        }
        try {
            certificate.verify(authority.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate the server answered is not signed by the CA it sent", e);
        }
        String key = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(request.keys().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            write(key(), key);
            write(certificate(), certificatePem);
            write(authority(), authorityPem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the node's certificate into " + dir, e);
        }
    }

    private void write(Path file, String text) throws IOException {
        dev.wharf.runtime.fs.AtomicFiles.write(file, text.endsWith("\n") ? text : text + "\n", PosixFilePermissions.fromString("rw-------"));
    }

    private static X509Certificate certificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("no certificate");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }
}
