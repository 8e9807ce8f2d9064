package dev.wharf.testing;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.InetAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * A real OpenID provider for tests: Spring Authorization Server on a random loopback port, its issuer
 * {@code http://localhost:PORT} (Wharf's tests browse Wharf at {@code 127.0.0.1}, so the two sessions'
 * cookies never meet). It has a login form, users with groups (a {@code groups} claim and
 * {@code preferred_username} in the ID token), a JWKS endpoint, discovery, user info and RP-initiated logout.
 * Clients are registered once the test knows Wharf's port.
 */
public final class OpenIdProvider implements AutoCloseable {

    private final AnnotationConfigServletWebServerApplicationContext context;
    private final Beans beans;

    private OpenIdProvider(AnnotationConfigServletWebServerApplicationContext context) {
        this.context = context;
        this.beans = context.getBean(Beans.class);
    }

    public static OpenIdProvider start() {
        AnnotationConfigServletWebServerApplicationContext context = new AnnotationConfigServletWebServerApplicationContext();
        context.register(Beans.class);
        context.refresh();
        // test classes that extend one another share the provider of their static field: it lives as long as the JVM
        Runtime.getRuntime().addShutdownHook(new Thread(context::close));
        return new OpenIdProvider(context);
    }

    public URI issuer() {
        return URI.create("http://localhost:" + context.getWebServer().getPort());
    }

    /** A person who logs in at the provider's form with {@code password}. */
    public OpenIdProvider user(String name, String password, String... groups) {
        org.springframework.security.core.userdetails.UserDetails person = User.withUsername(name).password("{noop}" + password).roles("USER").build();
        if (beans.people.userExists(name)) {
            beans.people.updateUser(person);
        } else {
            beans.people.createUser(person);
        }
        groups(name, groups);
        return this;
    }

    /** The groups the person's next ID token names. */
    public void groups(String name, String... groups) {
        beans.groups.put(name, List.of(groups));
    }

    /** The person's next ID tokens say they are meant for {@code audience} (an ID token of another client). */
    public void audienceOf(String name, String audience) {
        beans.audiences.put(name, audience);
    }

    /** A confidential client that logs in with the code flow and PKCE, returns to {@code baseUrl} and may end the provider's session. */
    public void client(String clientId, String secret, String baseUrl, String registrationId) {
        beans.clients.save(RegisteredClient.withId(clientId) // the same client again (another Wharf port) replaces it
                .clientId(clientId)
                .clientSecret("{noop}" + secret)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(baseUrl + "/login/oauth2/code/" + registrationId)
                .postLogoutRedirectUri(baseUrl + "/login?logout")
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL)
                .clientSettings(ClientSettings.builder().requireAuthorizationConsent(false).requireProofKey(true).build())
                .build());
    }

    /** The provider's signing key (to sign tokens as the provider would). */
    public RSAKey signingKey() {
        return beans.key;
    }

    /** A fresh RSA key no provider publishes. */
    public static RSAKey otherKey() {
        return Beans.rsaKey();
    }

    /** A JWT this provider issues (as a CI system issues job tokens): {@code claims} plus {@code iss}, signed with its key. */
    public String jwt(Map<String, Object> claims) {
        return sign(beans.key, Map.of("iss", issuer().toString()), claims);
    }

    /** A JWT with {@code standard} and {@code claims}, signed with {@code key} (RS256, its key id in the header). */
    public static String sign(RSAKey key, Map<String, Object> standard, Map<String, Object> claims) {
        try {
            com.nimbusds.jwt.JWTClaimsSet.Builder builder = new com.nimbusds.jwt.JWTClaimsSet.Builder();
            java.util.Map<String, Object> all = new java.util.LinkedHashMap<>(claims);
            all.putAll(standard);
            all.forEach(builder::claim);
            com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                    new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), builder.build());
            jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }

    /** The provider's beans; not a {@code @Configuration}, so Wharf's component scan never finds it. */
    @EnableWebSecurity
    static class Beans {

        final InMemoryUserDetailsManager people = new InMemoryUserDetailsManager();
        final Map<String, List<String>> groups = new ConcurrentHashMap<>();
        final Map<String, String> audiences = new ConcurrentHashMap<>();
        final InMemoryRegisteredClientRepository clients = new InMemoryRegisteredClientRepository(placeholder());
        final RSAKey key = rsaKey();

        @Bean
        TomcatServletWebServerFactory webServer() throws Exception {
            TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
            factory.setAddress(InetAddress.getByName("127.0.0.1"));
            factory.getSettings().setRegisterDefaultServlet(true); // Tomcat runs filters only for a request some servlet is mapped to
            return factory;
        }

        @Bean
        @Order(1)
        SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
            OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
            http.securityMatcher(server.getEndpointsMatcher())
                    .with(server, as -> as.oidc(Customizer.withDefaults()))
                    .authorizeHttpRequests(auth -> auth.anyRequest().authenticated())
                    .oauth2ResourceServer(resource -> resource.jwt(Customizer.withDefaults()))
                    .exceptionHandling(ex -> ex.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
                            new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
            return http.build();
        }

        @Bean
        @Order(2)
        SecurityFilterChain loginForm(HttpSecurity http) throws Exception {
            http.authorizeHttpRequests(auth -> auth.anyRequest().authenticated()).formLogin(Customizer.withDefaults());
            return http.build();
        }

        @Bean
        InMemoryUserDetailsManager userDetailsService() {
            return people;
        }

        @Bean
        InMemoryRegisteredClientRepository registeredClientRepository() {
            return clients;
        }

        @Bean
        JWKSource<SecurityContext> jwkSource() {
            return new ImmutableJWKSet<>(new JWKSet(key));
        }

        @Bean
        JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
            return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
        }

        @Bean
        AuthorizationServerSettings authorizationServerSettings() {
            return AuthorizationServerSettings.builder().build();
        }

        @Bean
        OAuth2TokenCustomizer<JwtEncodingContext> idTokenClaims() {
            return context -> {
                if ("id_token".equals(context.getTokenType().getValue())) {
                    String name = context.getPrincipal().getName();
                    context.getClaims().claim("preferred_username", name);
                    context.getClaims().claim("groups", groups.getOrDefault(name, List.of()));
                    String audience = audiences.get(name);
                    if (audience != null) {
                        context.getClaims().audience(List.of(audience));
                    }
                }
            };
        }

        private static RegisteredClient placeholder() {
            return RegisteredClient.withId("placeholder").clientId("placeholder").clientSecret("{noop}" + UUID.randomUUID())
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).build();
        }

        private static RSAKey rsaKey() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
                        .keyID(UUID.randomUUID().toString()).build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
