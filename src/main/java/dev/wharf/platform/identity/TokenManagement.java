package dev.wharf.platform.identity;

import dev.wharf.platform.web.WharfException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * API tokens: {@code wharf_} followed by 256 random bits. Only a SHA-256 of the secret is stored
 * (a fast hash is enough for a secret with that much entropy, and keeps each request cheap).
 */
@Service
@Transactional
public class TokenManagement {

    static final String PREFIX = "wharf_";
    /** last-used times are written at most this often per token, so busy scripts don't write on every call */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofSeconds(30);

    private final ApiTokenRepository tokens;
    private final RecentTokens recent;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    TokenManagement(ApiTokenRepository tokens, RecentTokens recent, Clock clock) {
        this.tokens = tokens;
        this.recent = recent;
        this.clock = clock;
    }

    public record CreatedToken(String id, String name, String token, Instant expiresAt) {
    }

    public record TokenView(String id, String name, Instant createdAt, Instant expiresAt, Instant lastUsedAt) {
    }

    public CreatedToken create(Caller caller, String name, Integer expiresInDays) {
        caller.requireUser("make API tokens");
        if (name == null || name.isBlank() || name.length() > 100) {
            throw WharfException.invalidField("name", "name must have 1-100 characters");
        }
        if (expiresInDays != null && (expiresInDays < 1 || expiresInDays > 3650)) {
            throw WharfException.invalidField("expiresInDays", "expiresInDays must be between 1 and 3650");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expiresAt = expiresInDays == null ? null : now.plus(Duration.ofDays(expiresInDays));
        ApiToken saved = tokens.save(new ApiToken(UUID.randomUUID().toString(), caller.id(), name.strip(), hash(token), now, expiresAt));
        return new CreatedToken(saved.getId(), saved.getName(), token, expiresAt);
    }

    @Transactional(readOnly = true)
    public List<TokenView> list(Caller caller) {
        return tokens.findByUserIdAndRevokedAtIsNullOrderByCreatedAtDesc(caller.id()).stream()
                .map(t -> new TokenView(t.getId(), t.getName(), t.getCreatedAt(), t.getExpiresAt(), t.getLastUsedAt()))
                .toList();
    }

    public void revoke(Caller caller, String id) {
        ApiToken token = tokens.findById(id)
                .filter(t -> t.getUserId().equals(caller.id()) && t.getRevokedAt() == null)
                .orElseThrow(() -> WharfException.notFound("token \"" + id + "\" not found"));
        token.revoke(clock.instant());
        recent.forgetAll();
    }

    /**
     * The holder of a presented secret, when the token exists, is not revoked and has not expired (see
     * {@link RecentTokens}: the filter asks there first, and remembers what this read).
     */
    Optional<RecentTokens.Holder> authenticate(String secretHash) {
        Instant now = clock.instant();
        return tokens.findWithUser(secretHash).filter(found -> found.token().isUsable(now)).map(found -> {
            ApiToken token = found.token();
            if (token.getLastUsedAt() == null || token.getLastUsedAt().isBefore(now.minus(LAST_USED_RESOLUTION))) {
                token.used(now);
            }
            UserAccount user = found.user();
            return new RecentTokens.Holder(new Caller(user.getId(), user.getName(), user.isAdmin(), token.getId()), token.getExpiresAt());
        });
    }

    static String hash(String secret) {
        return dev.wharf.platform.secret.SecretBox.sha256(secret);
    }
}
