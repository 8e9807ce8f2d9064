package dev.wharf.platform.docker;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may use the Docker port: the TLS handshake already required a certificate of the Docker
 * authority; here {@link DockerCertificates#authenticate} turns it into a {@link DockerCaller} (or a
 * Docker-style refusal) on every request. Requests of the Docker port have their own filter chain,
 * ahead of the REST and dashboard chains: no session, no CSRF (a certificate is not sent by a browser
 * on its own), no password or token.
 */
@EnableConfigurationProperties(DockerSettings.class)
@Configuration
class DockerSecurity {

    @Bean
    FilterRegistrationBean<DockerPortGate> dockerPortGate(DockerConnector connector, JsonMapper json) {
        FilterRegistrationBean<DockerPortGate> registration = new FilterRegistrationBean<>(new DockerPortGate(connector, json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
        registration.addUrlPatterns("/*");
        return registration;
    }

    @Bean
    @Order(0)
    SecurityFilterChain dockerChain(HttpSecurity http, DockerCertificates certificates, JsonMapper json) throws Exception {
        http.securityMatcher(request -> request.getAttribute(DockerApi.PORT_ATTRIBUTE) != null)
                .addFilterBefore(new CertificateCheck(certificates, json), AuthorizationFilter.class)
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll()) // CertificateCheck refused every other request
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .anonymous(anonymous -> anonymous.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable());
        return http.build();
    }

    /** Reads the request's client certificate into a {@link DockerCaller}, or answers the refusal. */
    static final class CertificateCheck extends OncePerRequestFilter {

        private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

        private final DockerCertificates certificates;
        private final JsonMapper json;

        CertificateCheck(DockerCertificates certificates, JsonMapper json) {
            this.certificates = certificates;
            this.json = json;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (!(request.getAttribute(CERTIFICATES) instanceof X509Certificate[] presented) || presented.length == 0) {
                DockerErrors.write(response, json, ErrorCategory.UNAUTHENTICATED, "a Wharf Docker client certificate is required");
                return;
            }
            DockerCaller caller;
            try {
                caller = certificates.authenticate(presented[0]);
            } catch (WharfException refused) {
                DockerErrors.write(response, json, refused.category(), refused.getMessage());
                return;
            }
            request.setAttribute(DockerCaller.REQUEST_ATTRIBUTE, caller);
            request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller.caller());
            request.setAttribute(AuditLog.Acting.ATTRIBUTE, new AuditLog.Acting(caller.teamId(), caller.team(), "docker",
                    caller.certificateId()));
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(new PreAuthenticatedAuthenticationToken(caller.caller().name(), null,
                    List.of(new SimpleGrantedAuthority("ROLE_USER"))));
            SecurityContextHolder.setContext(context);
            chain.doFilter(request, response);
        }
    }
}
