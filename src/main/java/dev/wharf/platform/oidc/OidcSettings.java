package dev.wharf.platform.oidc;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Single sign-on ({@code wharf.oidc.*}).
 *
 * @param providers OpenID providers people log in through, by id (the id is part of the redirect URI
 *                  {@code {baseUrl}/login/oauth2/code/{id}})
 */
@ConfigurationProperties("wharf.oidc")
public record OidcSettings(Map<String, Provider> providers) {

    public OidcSettings {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
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
