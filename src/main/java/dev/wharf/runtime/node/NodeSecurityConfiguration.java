package dev.wharf.runtime.node;

import dev.wharf.WharfSettings;
import dev.wharf.runtime.api.NodeTrust;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.runtime.wire.WireFailure;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A node trusts one caller: the control plane that holds its credential. Every request but
 * {@code /actuator/health} must come over TLS with a client certificate signed by Wharf's CA (the
 * TLS listener checks the signature; {@link NodeConfiguration}) and carry
 * {@code Authorization: Bearer <credential>}; without either, or with another credential, the
 * answer is 401 and nothing runs. Plain HTTP is refused unless {@code wharf.node.allow-plain-http}
 * (a test lab). Before the node has joined (no credential file) the answer is 503.
 */
@Configuration
@ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
class NodeSecurityConfiguration {

    @Bean
    NodeCredential nodeCredential(WharfSettings settings) {
        return new NodeCredential(settings.dataDir());
    }

    @Bean
    SecurityFilterChain nodeChain(HttpSecurity http, NodeCredential credential, NodeSettings settings) throws Exception {
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                        .anyRequest().authenticated())
                .addFilterBefore(new CredentialFilter(credential, settings.allowPlainHttp()), BasicAuthenticationFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .exceptionHandling(ex -> ex.authenticationEntryPoint((request, response, failure) -> refuse(response,
                        HttpServletResponse.SC_UNAUTHORIZED, "this node answers only its control plane: send \"Authorization: Bearer <node credential>\"")));
        return http.build();
    }

    static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        if (status == HttpServletResponse.SC_UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"wharf-node\"");
        }
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(NodeJson.write(new WireFailure(
                status == HttpServletResponse.SC_UNAUTHORIZED ? "UNAUTHENTICATED" : "UNAVAILABLE", message)));
    }

    /** Whether the (CA-verified) client certificate is the control plane's, by its common name. */
    static boolean isControlPlane(java.security.cert.X509Certificate certificate) {
        try {
            return new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .anyMatch(rdn -> rdn.getType().equalsIgnoreCase("CN") && NodeTrust.CONTROL_PLANE.equals(rdn.getValue()));
        } catch (javax.naming.InvalidNameException e) {
            return false;
        }
    }

    /** Checks the bearer credential against the stored one, in constant time; the health probe needs none. */
    static final class CredentialFilter extends OncePerRequestFilter {

        private static final String BEARER = "Bearer ";

        private final NodeCredential credential;
        private final boolean plainHttpAllowed;

        CredentialFilter(NodeCredential credential, boolean plainHttpAllowed) {
            this.credential = credential;
            this.plainHttpAllowed = plainHttpAllowed;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            return path.equals("/actuator/health") || path.startsWith("/actuator/health/") || path.equals("/error");
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (!request.isSecure() && !plainHttpAllowed) {
                refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "this node answers only over TLS");
                return;
            }
            Object certificates = request.getAttribute("jakarta.servlet.request.X509Certificate");
            if (request.isSecure() && !(certificates instanceof java.security.cert.X509Certificate[] presented && presented.length > 0
                    && isControlPlane(presented[0]))) {
                refuse(response, HttpServletResponse.SC_UNAUTHORIZED,
                        "this node answers only its control plane: present its client certificate (signed by Wharf's CA)");
                return;
            }
            Optional<String> expected = credential.read();
            if (expected.isEmpty()) {
                refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                        "this node has not joined a control plane yet: it has no credential");
                return;
            }
            String header = request.getHeader("Authorization");
            String presented = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    ? header.substring(BEARER.length()).strip() : null;
            if (!NodeCredential.matches(expected.get(), presented)) {
                refuse(response, HttpServletResponse.SC_UNAUTHORIZED, presented == null
                        ? "this node answers only its control plane: send \"Authorization: Bearer <node credential>\""
                        : "the node credential is wrong");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    "control-plane", null, List.of(new SimpleGrantedAuthority("ROLE_CONTROL_PLANE"))));
            try {
                chain.doFilter(request, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
        }
    }
}
