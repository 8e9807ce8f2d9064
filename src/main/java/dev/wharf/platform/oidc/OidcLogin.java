package dev.wharf.platform.oidc;

import dev.wharf.platform.identity.ExternalLogin;
import dev.wharf.platform.identity.SessionLogin;
import dev.wharf.platform.identity.UserAccount;
import dev.wharf.platform.identity.UserRepository;
import dev.wharf.platform.web.Problems;
import dev.wharf.platform.web.WharfException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * OpenID Connect login on the dashboard, for each provider of {@code wharf.oidc.providers}: authorization
 * code with PKCE (and a nonce), the ID token checked by Spring Security (signature against the provider's
 * keys, issuer, audience, expiry, nonce). The person then becomes a Wharf user ({@link SingleSignOn}) and the
 * session is an ordinary Wharf session; logging out also ends the provider's session where it offers an
 * {@code end_session_endpoint}.
 */
@Component
@EnableConfigurationProperties(OidcSettings.class)
class OidcLogin implements ExternalLogin {

    private final OidcSettings settings;
    private final ProviderRegistrations registrations;
    private final SingleSignOn signOn;
    private final UserRepository users;
    private final JwtCallers jwtCallers;
    private final Problems problems;

    OidcLogin(OidcSettings settings, ProviderRegistrations registrations, SingleSignOn signOn, UserRepository users, JwtCallers jwtCallers,
            Problems problems) {
        this.settings = settings;
        this.registrations = registrations;
        this.signOn = signOn;
        this.users = users;
        this.jwtCallers = jwtCallers;
        this.problems = problems;
    }

    /** JWTs of trusted issuers on the REST API, checked before Wharf's own API tokens. */
    @Override
    public void api(HttpSecurity http) {
        if (jwtCallers.enabled()) {
            http.addFilterAfter(new JwtFilter(jwtCallers, problems), SecurityContextHolderFilter.class);
        }
    }

    @Override
    public List<Button> buttons() {
        return settings.providers().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(entry -> new Button(entry.getKey(), entry.getValue().displayName() == null ? entry.getKey() : entry.getValue().displayName(),
                        "/oauth2/authorization/" + entry.getKey()))
                .toList();
    }

    @Override
    public List<AuthenticationProvider> dashboardProviders() {
        if (settings.providers().isEmpty()) {
            return List.of();
        }
        return List.of(new OidcAuthorizationCodeAuthenticationProvider(new RestClientAuthorizationCodeTokenResponseClient(), this::loadUser));
    }

    @Override
    public void dashboard(HttpSecurity http) throws Exception {
        if (settings.providers().isEmpty()) {
            return;
        }
        DefaultOAuth2AuthorizationRequestResolver resolver =
                new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");
        resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        SavedRequestAwareAuthenticationSuccessHandler landing = new SavedRequestAwareAuthenticationSuccessHandler();
        AuthenticationFailureHandler refused = (request, response, failure) -> {
            String why = failure instanceof OAuth2AuthenticationException oauth && oauth.getError().getDescription() != null
                    ? oauth.getError().getDescription()
                    : failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage();
            request.getSession().setAttribute(REFUSAL_ATTRIBUTE, "Login through the identity provider was refused: " + why);
            response.sendRedirect(request.getContextPath() + "/login?refused");
        };
        http.oauth2Login(login -> login
                .loginPage("/login")
                .clientRegistrationRepository(registrations)
                .authorizationEndpoint(endpoint -> endpoint.authorizationRequestResolver(resolver))
                .successHandler((request, response, authentication) -> {
                    OAuth2AuthenticationToken token = (OAuth2AuthenticationToken) authentication;
                    SignedIn person = (SignedIn) token.getPrincipal();
                    UserAccount account = users.findById(person.userId).orElseThrow();
                    SessionLogin.start(request, response, account, new ProviderLogin(token.getAuthorizedClientRegistrationId(),
                            person.getSubject(), person.getIdToken(), request.getRemoteAddr()));
                    landing.onAuthenticationSuccess(request, response, authentication);
                })
                .failureHandler(refused)
                .withObjectPostProcessor(new ObjectPostProcessor<OAuth2AuthorizationRequestRedirectFilter>() {
                    @Override
                    public <O extends OAuth2AuthorizationRequestRedirectFilter> O postProcess(O filter) {
                        filter.setAuthenticationFailureHandler(refused); // a provider that cannot be reached: said on the login page
                        return filter;
                    }
                }));
        http.logout(logout -> logout.logoutSuccessHandler((request, response, authentication) -> {
            String target = UriComponentsBuilder.fromUriString(request.getRequestURL().toString()).replacePath(request.getContextPath() + "/login")
                    .replaceQuery("logout").build().toUriString();
            if (authentication != null && authentication.getDetails() instanceof ProviderLogin login) {
                String endSession = endSessionEndpoint(login.provider());
                if (endSession != null) {
                    target = UriComponentsBuilder.fromUriString(endSession)
                            .queryParam("id_token_hint", login.idToken().getTokenValue())
                            .queryParam("client_id", settings.providers().get(login.provider()).clientId())
                            .queryParam("post_logout_redirect_uri", target)
                            .encode().build().toUriString();
                }
            }
            response.sendRedirect(target);
        }));
    }

    private String endSessionEndpoint(String provider) {
        if (!settings.providers().containsKey(provider)) {
            return null;
        }
        ClientRegistration registration = registrations.findByRegistrationId(provider);
        Object endpoint = registration.getProviderDetails().getConfigurationMetadata().get("end_session_endpoint");
        return endpoint == null ? null : endpoint.toString();
    }

    /** Spring's user loading (ID token, then user info), then the Wharf user it is; a refusal fails the login. */
    private OidcUser loadUser(OidcUserRequest request) {
        OidcUser person = new OidcUserService().loadUser(request);
        String provider = request.getClientRegistration().getRegistrationId();
        OidcSettings.Provider configured = settings.providers().get(provider);
        Object name = person.getClaims().get(configured.usernameClaim());
        try {
            UserAccount user = signOn.login(provider, person.getSubject(), name instanceof String text ? text : null,
                    groups(person.getClaims().get(configured.groupsClaim())), remoteAddress());
            return new SignedIn(person, user);
        } catch (WharfException refused) {
            throw new OAuth2AuthenticationException(new OAuth2Error("access_denied", refused.getMessage(), null), refused.getMessage());
        }
    }

    static List<String> groups(Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return claim instanceof String single ? List.of(single) : List.of();
    }

    private static String remoteAddress() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getRequest().getRemoteAddr() : null;
    }

    /** The provider's person, with the Wharf user it is. */
    static final class SignedIn extends DefaultOidcUser {

        final long userId;
        private final String userName;

        SignedIn(OidcUser person, UserAccount user) {
            super(person.getAuthorities(), person.getIdToken(), person.getUserInfo());
            this.userId = user.getId();
            this.userName = user.getName();
        }

        /** The Wharf user's name (the login's audit event names it). */
        @Override
        public String getName() {
            return userName;
        }
    }
}
