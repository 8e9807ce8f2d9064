package dev.wharf.platform.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** Wharf's CA signs a node's request for the host it is dialled at only, and issues client certificates that only it vouches for. */
class CertificateAuthorityTests {

    private final Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private final CertificateAuthority authority = CertificateAuthority.create("Wharf CA", now, Duration.ofDays(3650));

    @Test
    void aNodesRequestIsSignedForTheHostTheServerDialsAndForServingOnly() throws Exception {
        KeyPair node = keys();
        X509Certificate certificate = authority.signServer(request(node, "anything.example"), "node-1", "10.1.2.3", now, Duration.ofDays(825));
        certificate.verify(authority.certificate().getPublicKey());
        assertThat(certificate.getPublicKey()).isEqualTo(node.getPublic());
        assertThat(certificate.getSubjectAlternativeNames()).as("the request's own name is not taken").containsExactly(List.of(7, "10.1.2.3"));
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=node-1");
        assertThat(authority.signServer(request(keys(), "n"), "node-2", "node2.example.org", now, Duration.ofDays(1))
                .getSubjectAlternativeNames()).containsExactly(List.of(2, "node2.example.org"));
        assertThat(authority.signServer(request(keys(), "n"), "node-3", "[::1]", now, Duration.ofDays(1))
                .getSubjectAlternativeNames()).hasSize(1);
    }

    @Test
    void aRequestThatDoesNotReadOrIsNotSignedByItsKeyIsRefused() throws Exception {
        assertThatThrownBy(() -> authority.signServer(null, "n", "h", now, Duration.ofDays(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.signServer("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "n",
                "h", now, Duration.ofDays(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.signServer(authority.certificatePem(), "n", "h", now, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM PKCS#10");
        KeyPair claimed = keys();
        KeyPair signer = keys();
        var forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), claimed.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        assertThatThrownBy(() -> authority.signServer(pem(forged), "n", "h", now, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signature");
    }

    @Test
    void clientCertificatesAreForClientsAndTheAuthorityReadsBackFromPem() throws Exception {
        CertificateAuthority.Identity client = authority.issueClient("wharf-control-plane", now, Duration.ofDays(365));
        client.certificate().verify(authority.certificate().getPublicKey());
        assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(authority.certificate().getBasicConstraints()).isZero();

        CertificateAuthority again = CertificateAuthority.read(authority.certificatePem(), authority.privateKeyPem());
        assertThat(again.certificate()).isEqualTo(authority.certificate());
        again.issueClient("x", now, Duration.ofDays(1)).certificate().verify(authority.certificate().getPublicKey());
        assertThat(authority.context(client).getProtocol()).isEqualTo("TLS");
        assertThat(authority.issueClient("x", now, Duration.ofDays(99_999)).certificate().getNotAfter())
                .as("never outlives the CA").isEqualTo(authority.certificate().getNotAfter());
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String request(KeyPair keys, String name) throws Exception {
        return pem(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(Object object) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }
}
