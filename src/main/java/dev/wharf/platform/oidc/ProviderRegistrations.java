package dev.wharf.platform.oidc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

/**
 * The configured providers as OAuth2 client registrations, each discovered from its issuer the first time
 * it is needed (a provider that is down when Wharf starts does not stop Wharf; it is asked again at the
 * next login).
 */
@Component
class ProviderRegistrations implements ClientRegistrationRepository {

    private static final Logger log = LoggerFactory.getLogger(ProviderRegistrations.class);

    private final OidcSettings settings;
    private final Map<String, ClientRegistration> discovered = new ConcurrentHashMap<>();

    ProviderRegistrations(OidcSettings settings) {
        this.settings = settings;
    }

    @Override
    public ClientRegistration findByRegistrationId(String id) {
        OidcSettings.Provider provider = settings.providers().get(id);
        if (provider == null) {
            return null;
        }
        ClientRegistration known = discovered.get(id);
        if (known != null) {
            return known;
        }
        try {
            ClientRegistration registration = discover(id, provider);
            discovered.put(id, registration);
            return registration;
        } catch (RuntimeException e) {
            log.warn("OpenID provider {}: discovery from {} failed: {}", id, provider.issuer(), e.toString());
            throw new IllegalStateException("the OpenID provider \"" + id + "\" does not answer at " + provider.issuer()
                    + "; try again later or ask an admin", e);
        }
    }

    OidcSettings.Provider settings(String id) {
        return settings.providers().get(id);
    }

    private static ClientRegistration discover(String id, OidcSettings.Provider provider) {
        boolean publicClient = provider.clientSecret() == null || provider.clientSecret().isBlank();
        ClientRegistration.Builder builder = ClientRegistrations.fromIssuerLocation(provider.issuer().toString())
                .registrationId(id)
                .clientId(provider.clientId())
                .clientName(provider.displayName() == null ? id : provider.displayName())
                .scope(provider.scopes())
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}");
        if (publicClient) {
            builder.clientSecret(null).clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
        } else {
            builder.clientSecret(provider.clientSecret());
        }
        return builder.build();
    }
}
