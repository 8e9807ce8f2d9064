package dev.wharf.platform.oidc;

import java.io.Serializable;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;

/**
 * What a dashboard session logged in through a provider keeps for its logout: the provider and the ID
 * token to send as {@code id_token_hint} (RP-initiated logout).
 */
record ProviderLogin(String provider, String subject, OidcIdToken idToken, String remoteAddress) implements Serializable {
}
