package dev.wharf.platform.oidc;

import com.nimbusds.jwt.JWTParser;
import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamRole;
import java.text.ParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * JWTs of trusted issuers ({@code wharf.oidc.trusted-jwt-issuers}), for automation such as CI jobs: the token's
 * issuer must be one of them; its signature is checked against the issuer's published keys, its audience,
 * expiry and not-before against the settings and the clock; then the issuer's rules map it to one team role.
 * Nothing is stored: each call brings its token. Every refusal says why and is audited.
 */
@Component
class JwtCallers {

    private final OidcSettings settings;
    private final AuditLog audit;
    private final Map<String, NimbusJwtDecoder> decoders = new ConcurrentHashMap<>();

    JwtCallers(OidcSettings settings, AuditLog audit) {
        this.settings = settings;
        this.audit = audit;
        for (OidcSettings.TrustedIssuer issuer : settings.trustedJwtIssuers()) {
            if (issuer.issuer() == null || issuer.issuer().isBlank() || issuer.audience() == null || issuer.audience().isBlank()) {
                throw new IllegalStateException("wharf.oidc.trusted-jwt-issuers: each issuer needs issuer and audience");
            }
            for (OidcSettings.Rule rule : issuer.rules()) {
                if (rule.team() == null || rule.role() == null || (rule.claim() == null && rule.claims().isEmpty())
                        || (rule.claim() != null && rule.equals() == null)) {
                    throw new IllegalStateException("wharf.oidc.trusted-jwt-issuers of " + issuer.issuer()
                            + ": each rule needs team, role and at least one condition (claim and equals)");
                }
                TeamRole.parse(rule.role());
            }
        }
    }

    /** Thrown for a token that does not call Wharf; the message is the problem's detail. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    boolean enabled() {
        return !settings.trustedJwtIssuers().isEmpty();
    }

    /** Whether {@code token} is shaped like a JWT (three dot-separated parts), so it is this class's to judge. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && !token.startsWith("wharf_");
    }

    /** The caller the token is, or {@link Refused} saying why not. */
    Caller authenticate(String token, String address) {
        String issuerName = "(unknown)";
        try {
            issuerName = Optional.ofNullable(JWTParser.parse(token).getJWTClaimsSet().getIssuer()).orElse("(none)");
            issuerName = issuerName.length() > 200 ? issuerName.substring(0, 200) + "…" : issuerName;
        } catch (ParseException e) {
            throw refuse(issuerName, null, "the bearer token is not a readable JWT", address);
        }
        String claimedIssuer = issuerName;
        OidcSettings.TrustedIssuer issuer = settings.trustedJwtIssuers().stream().filter(i -> i.issuer().equals(claimedIssuer))
                .findFirst().orElseThrow(() -> refuse(claimedIssuer, null, "the JWT's issuer \"" + claimedIssuer + "\" is not trusted", address));
        Jwt jwt;
        try {
            jwt = decoder(issuer).decode(token);
        } catch (JwtException e) {
            throw refuse(claimedIssuer, null, "the JWT of issuer " + claimedIssuer + " is not valid: " + e.getMessage(), address);
        } catch (RuntimeException e) {
            throw refuse(claimedIssuer, null, "the keys of issuer " + claimedIssuer + " cannot be read: " + e.getMessage(), address);
        }
        OidcSettings.Rule rule = issuer.rules().stream().filter(r -> matches(r, jwt.getClaims())).findFirst()
                .orElseThrow(() -> refuse(claimedIssuer, jwt.getSubject(), "no rule of issuer " + claimedIssuer + " matches this JWT", address));
        String subject = jwt.getSubject() == null ? "(no subject)" : jwt.getSubject();
        return Caller.granted(trim("jwt:" + subject, 100), new Caller.Grant(issuer.issuer(), subject, rule.team(), rule.role(), jwt.getExpiresAt()));
    }

    /** Every condition of the rule holds: each named claim is a string equal to the value (or a list holding it). */
    static boolean matches(OidcSettings.Rule rule, Map<String, Object> claims) {
        if (rule.claim() != null && !holds(claims.get(rule.claim()), rule.equals())) {
            return false;
        }
        return rule.claims().entrySet().stream().allMatch(condition -> holds(claims.get(condition.getKey()), condition.getValue()));
    }

    private static boolean holds(Object claim, String value) {
        if (claim instanceof Collection<?> values) {
            return values.stream().anyMatch(v -> v instanceof String s && s.equals(value));
        }
        return claim instanceof String s ? s.equals(value) : claim != null && !(claim instanceof Map) && String.valueOf(claim).equals(value);
    }

    private NimbusJwtDecoder decoder(OidcSettings.TrustedIssuer issuer) {
        return decoders.computeIfAbsent(issuer.issuer(), key -> {
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer.issuer()).build();
            OAuth2TokenValidator<Jwt> audience = new JwtClaimValidator<List<String>>("aud",
                    aud -> aud != null && aud.contains(issuer.audience()));
            decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer.issuer()), audience));
            return decoder;
        });
    }

    private Refused refuse(String issuer, String subject, String why, String address) {
        audit.record(new AuditLog.Entry(subject == null ? "(jwt)" : trim("jwt:" + subject, 100), "jwt", null, "authenticate", null, null, address,
                AuditLog.FAILURE, 401, trim("issuer " + issuer + ": " + why, 1000)));
        return new Refused(why);
    }

    private static String trim(String text, int length) {
        return text.length() > length ? text.substring(0, length) : text;
    }
}
