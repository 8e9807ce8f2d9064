package dev.wharf.platform.identity;

import dev.wharf.WharfSettings;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authentication.event.AuthenticationFailureLockedEvent;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Two filter chains: {@code /api/**} and {@code /actuator/**} answer with problem documents and
 * take Bearer tokens or HTTP Basic (a dashboard session works there too, with its CSRF token);
 * everything else is the dashboard with form login.
 */
@Configuration
class SecurityConfiguration {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** Password logins: local users only, and of them only those {@code wharf.security.local-login} lets in. */
    @Bean
    UserDetailsService userDetailsService(UserRepository users, WharfSettings settings) {
        return name -> users.findByName(name).filter(user -> user.getSource() == UserSource.LOCAL)
                .filter(user -> switch (settings.security().localLogin()) {
                    case ALL -> true;
                    case ADMINS_ONLY -> user.isAdmin();
                    case OFF -> false;
                })
                .map(user -> WharfUser.of(user, null))
                .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    }

    @Bean
    AuthenticationManager authenticationManager(UserDetailsService userDetails, PasswordEncoder passwordEncoder,
            LoginThrottle throttle, ApplicationEventPublisher events) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(userDetails);
        passwords.setPasswordEncoder(passwordEncoder);
        ProviderManager manager = new ProviderManager(new ThrottledAuthenticationProvider(passwords, throttle));
        DefaultAuthenticationEventPublisher publisher = new DefaultAuthenticationEventPublisher(events);
        publisher.setAdditionalExceptionMappings(Map.of(LoginLockedException.class, AuthenticationFailureLockedEvent.class));
        manager.setAuthenticationEventPublisher(publisher);
        return manager;
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, AuthenticationManager authenticationManager, TokenManagement tokens,
            RecentTokens recentTokens, Problems problems, WharfSettings settings, ApplicationEventPublisher events,
            UserRepository users, List<ExternalLogin> externalLogins) throws Exception {
        AuthenticationEntryPoint entryPoint = (request, response, failure) -> {
            if (failure instanceof LoginLockedException locked) {
                response.setHeader("Retry-After", Long.toString(locked.retryAfterSeconds()));
                problems.write(request, response, ErrorCategory.TOO_MANY_REQUESTS, locked.getMessage(),
                        Map.of("retryAfterSeconds", locked.retryAfterSeconds()));
                return;
            }
            response.setHeader("WWW-Authenticate",
                    settings.security().apiBasicAuth() ? "Bearer realm=\"wharf\", Basic realm=\"wharf\"" : "Bearer realm=\"wharf\"");
            String detail = failure == null || request.getHeader("Authorization") == null
                    ? "authentication required: send an API token as \"Authorization: Bearer <token>\""
                            + (settings.security().apiBasicAuth() ? " or use HTTP Basic" : "")
                    : failure.getMessage().contains("token") ? failure.getMessage() : "invalid username or password";
            problems.write(request, response, ErrorCategory.UNAUTHENTICATED, detail, Map.of());
        };
        AccessDeniedHandler denied = (request, response, failure) -> problems.write(request, response,
                ErrorCategory.PERMISSION_DENIED,
                failure instanceof CsrfException
                        ? "missing or invalid CSRF token: dashboard requests must send it; scripts should use an API token"
                        : "you are not allowed to do this",
                Map.of());
        RequestMatcher csrfNeeded = (HttpServletRequest request) -> !SAFE_METHODS.contains(request.getMethod())
                && request.getHeader("Authorization") == null && !"/api/v1/nodes/join".equals(request.getRequestURI());

        http.securityMatcher("/api/**", "/actuator/**")
                .authenticationManager(authenticationManager)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers(org.springframework.http.HttpMethod.POST, "/api/v1/nodes/join").permitAll() // the join token is the proof
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .addFilterAfter(new SessionUserFilter(users), SecurityContextHolderFilter.class)
                .addFilterBefore(new BearerTokenFilter(tokens, recentTokens, entryPoint, events), BasicAuthenticationFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(csrfNeeded))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint).accessDeniedHandler(denied));
        if (settings.security().apiBasicAuth()) {
            http.httpBasic(basic -> basic.authenticationEntryPoint(entryPoint));
        } else {
            http.httpBasic(basic -> basic.disable());
        }
        for (ExternalLogin external : externalLogins) {
            external.api(http);
        }
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain dashboardChain(HttpSecurity http, AuthenticationManager authenticationManager, UserRepository users,
            List<ExternalLogin> externalLogins, ApplicationEventPublisher events) throws Exception {
        AuthenticationFailureHandler failure = (request, response, exception) -> {
            if (exception instanceof LoginLockedException locked) {
                response.setHeader("Retry-After", Long.toString(locked.retryAfterSeconds()));
                response.sendRedirect(request.getContextPath() + "/login?locked=" + locked.retryAfterSeconds());
            } else {
                response.sendRedirect(request.getContextPath() + "/login?error");
            }
        };
        List<AuthenticationProvider> others = externalLogins.stream().flatMap(external -> external.dashboardProviders().stream()).toList();
        if (!others.isEmpty() && authenticationManager instanceof ProviderManager passwords) {
            List<AuthenticationProvider> all = new ArrayList<>(passwords.getProviders());
            all.addAll(others);
            ProviderManager manager = new ProviderManager(all);
            DefaultAuthenticationEventPublisher publisher = new DefaultAuthenticationEventPublisher(events);
            publisher.setAdditionalExceptionMappings(Map.of(LoginLockedException.class, AuthenticationFailureLockedEvent.class));
            manager.setAuthenticationEventPublisher(publisher);
            authenticationManager = manager;
        }
        http.authenticationManager(authenticationManager)
                .addFilterAfter(new SessionUserFilter(users), SecurityContextHolderFilter.class)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/login", "/assets/**", "/favicon.ico", "/favicon.svg", "/error", "/problems/**",
                                "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
                        .requestMatchers("/admin/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .formLogin(form -> form.loginPage("/login").defaultSuccessUrl("/", false).failureHandler(failure).permitAll())
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                .httpBasic(basic -> basic.disable());
        for (ExternalLogin external : externalLogins) {
            external.dashboard(http);
        }
        return http.build();
    }
}
