package dev.wharf.platform.pki;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.IDN;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Wharf's own certificate authority: one EC P-256 key and a self-signed certificate that only
 * Wharf trusts. It signs the certificates its nodes serve with (from a request whose key never
 * leaves the node, for the host the node is reached at) and the client certificates Wharf presents
 * to them. A second authority of its own signs the Docker API's server and client certificates. Plain Java over BouncyCastle, so a test can make
 * one in a millisecond; {@link AuthorityConfiguration} keeps the server's in the database.
 */
public final class CertificateAuthority {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A key pair and a certificate that a TLS peer presents, signed by this authority. */
    public record Identity(PrivateKey key, X509Certificate certificate) {
    }

    /** A new authority named {@code name}, valid for {@code validity} from {@code now}. */
    public static CertificateAuthority create(String name, Instant now, Duration validity) {
        try {
            KeyPair pair = newKeyPair();
            X500Name subject = name(name);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(validity)), subject, pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate certificate = sign(builder, pair.getPrivate());
            return new CertificateAuthority(certificate, pair.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a certificate authority", e);
        }
    }

    /** The authority kept as PEM text ({@link #certificatePem()}, {@link #privateKeyPem()}). */
    public static CertificateAuthority read(String certificatePem, String privateKeyPem) {
        return new CertificateAuthority(readCertificate(certificatePem), readPrivateKey(privateKeyPem));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificatePem() {
        return pem(certificate);
    }

    public String privateKeyPem() {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Signs a server certificate for {@code host} (an IP address or a DNS name: the only name it is
     * valid for, whatever the request asked) with the key of a PKCS#10 request, whose signature must
     * hold (its sender has the private key).
     *
     * @throws IllegalArgumentException when the request does not read or its signature is wrong
     */
    public X509Certificate signServer(String requestPem, String commonName, String host, Instant now, Duration validity) {
        PublicKey publicKey = requestKey(requestPem);
        try {
            X509v3CertificateBuilder builder = leaf(commonName, publicKey, now, validity);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(hostName(host)));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return sign(builder, key);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate for " + host, e);
        }
    }

    /**
     * A fresh key pair and a server certificate for {@code commonName}, valid for each of {@code hosts}
     * (IP addresses or DNS names) and nothing else (TLS server authentication only).
     */
    public Identity issueServer(String commonName, java.util.Collection<String> hosts, Instant now, Duration validity) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one host");
        }
        try {
            KeyPair pair = newKeyPair();
            X509v3CertificateBuilder builder = leaf(commonName, pair.getPublic(), now, validity);
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(hosts.stream().map(CertificateAuthority::hostName).toArray(GeneralName[]::new)));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new Identity(pair.getPrivate(), sign(builder, key));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a server certificate for " + hosts, e);
        }
    }

    /** A fresh key pair and a client certificate for {@code commonName} (TLS client authentication only). */
    public Identity issueClient(String commonName, Instant now, Duration validity) {
        try {
            KeyPair pair = newKeyPair();
            X509v3CertificateBuilder builder = leaf(commonName, pair.getPublic(), now, validity);
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return new Identity(pair.getPrivate(), sign(builder, key));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a client certificate for " + commonName, e);
        }
    }

    /**
     * A TLS context that presents {@code identity} and trusts this authority only (no system CA):
     * the peer must show a certificate this authority signed, for the host name that was dialled.
     */
    public SSLContext context(Identity identity) {
        try {
            char[] password = Long.toHexString(RANDOM.nextLong()).toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("identity", identity.key(), password, new Certificate[] {identity.certificate(), certificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("wharf-ca", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trusted);
        return factory.getTrustManagers();
    }

    public static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    public static X509Certificate readCertificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    public static PrivateKey readPrivateKey(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PEM PKCS#8 EC private key", e);
        }
    }

    private static PublicKey requestKey(String requestPem) {
        if (requestPem == null || requestPem.isBlank()) {
            throw new IllegalArgumentException("no certificate request");
        }
        try (PEMParser parser = new PEMParser(new StringReader(requestPem))) {
            if (!(parser.readObject() instanceof PKCS10CertificationRequest request)) {
                throw new IllegalArgumentException("not a PEM PKCS#10 certificate request");
            }
            var info = request.getSubjectPublicKeyInfo();
            String algorithm = info.getAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC"
                    : info.getAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA" : null;
            if (algorithm == null) {
                throw new IllegalArgumentException("the certificate request's key is neither EC nor RSA");
            }
            PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new java.security.spec.X509EncodedKeySpec(info.getEncoded()));
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("the certificate request's signature is wrong");
            }
            return key;
        } catch (IOException | GeneralSecurityException | OperatorCreationException | PKCSException | RuntimeException e) {
            if (e instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            throw new IllegalArgumentException("the certificate request does not read (" + e.getMessage() + ")", e);
        }
    }

    private X509v3CertificateBuilder leaf(String commonName, PublicKey publicKey, Instant now, Duration validity)
            throws GeneralSecurityException, IOException {
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant();
        }
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)),
                Date.from(notAfter), name(commonName), publicKey);
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
        builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
        return builder;
    }

    private static GeneralName hostName(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (IPV4.matcher(bare).matches() || bare.contains(":")) {
            return new GeneralName(GeneralName.iPAddress, bare);
        }
        return new GeneralName(GeneralName.dNSName, IDN.toASCII(bare));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signingKey)));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Wharf").addRDN(BCStyle.CN, commonName).build();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
