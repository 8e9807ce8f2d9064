package dev.wharf.platform.node;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.platform.secret.SecretBox;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * How a node joins: an admin makes a single-use, expiring join token; the node presents it once
 * with its name, its {@code https} URL and a certificate request, and is given its own credential,
 * which the server keeps (encrypted) and sends on every call, and a certificate from Wharf's CA for
 * the host of its URL, which it serves with; the node accepts calls with nothing else, and the
 * server trusts no other certificate. A plain {@code http} URL is refused unless
 * {@code wharf.node.allow-plain-http} (a test lab). Removing a node forgets its
 * credential, so it is never called again, and its token cannot be used twice.
 */
@Service
class NodeJoining {

    private static final Logger log = LoggerFactory.getLogger(NodeJoining.class);
    static final String TOKEN_PREFIX = "wharf-join-";
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final Duration MAX_TTL = Duration.ofDays(7);

    private final NodeStore store;
    private final NodeRegistry registry;
    private final ObjectProvider<NodeUsage> usage;
    private final SecretBox secrets;
    private final Clock clock;
    private final CertificateAuthority authority;
    private final boolean allowPlainHttp;
    private final SecureRandom random = new SecureRandom();

    NodeJoining(NodeStore store, NodeRegistry registry, ObjectProvider<NodeUsage> usage, SecretBox secrets, Clock clock,
            CertificateAuthority authority, @Value("${wharf.node.allow-plain-http:false}") boolean allowPlainHttp) {
        this.store = store;
        this.registry = registry;
        this.usage = usage;
        this.secrets = secrets;
        this.clock = clock;
        this.authority = authority;
        this.allowPlainHttp = allowPlainHttp;
    }

    /** How long a node's certificate is valid (a node that outlives it joins again with a new token). */
    static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(825);

    /** @param nodes how many nodes may join with it (1 unless an admin asked for more, e.g. for a DaemonSet) */
    record JoinToken(String token, Instant expiresAt, int nodes) {
    }

    /**
     * @param certificate the node's certificate (PEM), signed by Wharf's CA for the host of its URL ({@code null} over plain http
     *                    without a request)
     * @param ca          Wharf's CA certificate (PEM): the only issuer of the control plane's client certificates
     */
    record Joined(String name, String credential, String certificate, String ca) {
    }

    JoinToken createToken(Caller caller, Integer expiresInMinutes, Integer nodes) {
        caller.requireAdmin("create node join tokens");
        Duration ttl = expiresInMinutes == null ? DEFAULT_TTL : Duration.ofMinutes(expiresInMinutes);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw WharfException.invalidField("expiresInMinutes", "expiresInMinutes must be between 1 and " + MAX_TTL.toMinutes());
        }
        int uses = nodes == null ? 1 : nodes;
        if (uses < 1 || uses > 1000) {
            throw WharfException.invalidField("nodes", "nodes (how many nodes may join with the token) must be between 1 and 1000");
        }
        String token = TOKEN_PREFIX + secret();
        Instant now = clock.instant();
        store.insertToken(SecretBox.sha256(token), uses, now.plus(ttl), caller.name(), now);
        return new JoinToken(token, now.plus(ttl), uses);
    }

    Joined join(String token, String name, String url, String csr) {
        if (token == null || token.isBlank()) {
            throw WharfException.invalidField("token", "token is required: an admin makes one with POST /api/v1/nodes/join-tokens");
        }
        Names.requireDnsLabel("name", name);
        if (NodeRegistry.LOCAL.equals(name)) {
            throw WharfException.invalidField("name", "\"local\" is the name of the server's own runtime; choose another");
        }
        URI uri = nodeUrl(url);
        if (!"https".equals(uri.getScheme()) && !allowPlainHttp) {
            throw WharfException.invalidField("url", "url must be https: the server talks to nodes over TLS only (" + uri + " is plain http;"
                    + " wharf.node.allow-plain-http=true on the server and the node allows it, for a test lab only)");
        }
        String certificate = null;
        if ("https".equals(uri.getScheme()) || (csr != null && !csr.isBlank())) {
            try {
                certificate = CertificateAuthority.pem(authority.signServer(csr, name, uri.getHost(), clock.instant(), CERTIFICATE_VALIDITY));
            } catch (IllegalArgumentException e) {
                throw WharfException.invalidField("csr", "csr must be the node's PEM certificate request (PKCS#10): " + e.getMessage());
            }
        }
        String hash = SecretBox.sha256(token.strip());
        if (!store.useToken(hash, name, clock.instant())) {
            log.warn("refused a node joining as {} from {}: unknown, used or expired join token", name, uri);
            throw new WharfException(ErrorCategory.UNAUTHENTICATED, "the join token is unknown, used or expired; ask an admin for a new one");
        }
        String credential = secret();
        try {
            store.insert(name, uri, secrets.seal(credential), "join-token", clock.instant());
        } catch (DuplicateKeyException taken) {
            store.releaseToken(hash);
            throw WharfException.alreadyExists("a node named \"" + name + "\" has joined already; remove it first or choose another name");
        }
        registry.joined(name);
        log.info("node {} joined from {}", name, uri);
        return new Joined(name, credential, certificate, authority.certificatePem());
    }

    /** Forgets the node; refused while containers are placed on it unless {@code force} (they are then {@code unknown}). */
    void remove(Caller caller, String name, boolean force) {
        caller.requireAdmin("remove nodes");
        if (store.find(name).isEmpty()) {
            throw WharfException.notFound("no node \"" + name + "\" has joined");
        }
        NodeUsage known = usage.getIfAvailable();
        long placed = known == null ? 0 : known.allocated(name).containers();
        if (placed > 0 && !force) {
            throw WharfException.conflict("node \"" + name + "\" has " + placed + " container(s); delete them first, or remove the node"
                    + " with force=true (they become unknown)");
        }
        store.delete(name);
        registry.forget(name);
        log.info("node {} was removed by {}", name, caller.name());
    }

    private static URI nodeUrl(String url) {
        try {
            URI uri = URI.create(url == null ? "" : url.strip());
            if ((uri.getScheme() != null && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw WharfException.invalidField("url", "url must be the node's https address the server can reach, like https://node1:7070");
    }

    private String secret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
