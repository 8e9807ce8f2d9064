package dev.wharf.platform.oidc;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Single sign-on ({@code wharf.oidc.*}).
 *
 * @param providers          OpenID providers people log in through, by id (the id is part of the redirect URI
 *                           {@code {baseUrl}/login/oauth2/code/{id}})
 * @param trustedJwtIssuers  issuers whose JWTs (a CI system's job tokens) call the REST API as a team role
 */
@ConfigurationProperties("wharf.oidc")
public record OidcSettings(Map<String, Provider> providers, List<TrustedIssuer> trustedJwtIssuers) {

    public OidcSettings {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        trustedJwtIssuers = trustedJwtIssuers == null ? List.of() : List.copyOf(trustedJwtIssuers);
    }

    /**
     * An issuer of JWTs; its keys come from the {@code jwks_uri} of its discovery document.
     *
     * @param audience the {@code aud} a token must name (required: a token minted for another service is refused)
     * @param rules    tried in order; the first whose every condition matches gives its team role
     */
    public record TrustedIssuer(String issuer, String audience, List<Rule> rules) {

        public TrustedIssuer {
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    /**
     * A token whose claim {@code claim} equals {@code equals}, and whose claims also equal each of {@code claims}
     * (more conditions), calls as {@code role} of {@code team}.
     */
    public record Rule(String claim, String equals, Map<String, String> claims, String team, String role) {

        public Rule {
            claims = claims == null ? Map.of() : Map.copyOf(claims);
        }
    }

    /**
     * One OpenID provider, discovered from {@code issuer/.well-known/openid-configuration}.
     *
     * @param clientSecret  empty for a public client (PKCE alone then proves the login)
     * @param usernameClaim the claim whose value becomes the Wharf user name at the first login
     * @param groupsClaim   the claim (in the ID token or the user info) that lists the user's groups
     */
    public record Provider(URI issuer, String clientId, String clientSecret, String displayName,
            @DefaultValue({"openid", "profile", "email"}) List<String> scopes,
            @DefaultValue("preferred_username") String usernameClaim, @DefaultValue("groups") String groupsClaim) {
    }
}
