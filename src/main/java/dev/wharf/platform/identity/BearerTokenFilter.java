package dev.wharf.platform.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.WebAuthenticationDetailsSource;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates {@code Authorization: Bearer wharf_…} API tokens. The context is never stored in a session. */
final class BearerTokenFilter extends OncePerRequestFilter {

    private final TokenManagement tokens;
    private final AuthenticationEntryPoint entryPoint;
    private final ApplicationEventPublisher events;
    private final WebAuthenticationDetailsSource details = new WebAuthenticationDetailsSource();

    BearerTokenFilter(TokenManagement tokens, AuthenticationEntryPoint entryPoint, ApplicationEventPublisher events) {
        this.tokens = tokens;
        this.entryPoint = entryPoint;
        this.events = events;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<WharfUser> user = tokens.authenticate(header.substring(7).strip());
        if (user.isEmpty()) {
            SecurityContextHolder.clearContext();
            UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated("(api token)", null);
            attempt.setDetails(details.buildDetails(request));
            BadCredentialsException failure = new BadCredentialsException("invalid, expired or revoked API token");
            events.publishEvent(new AuthenticationFailureBadCredentialsEvent(attempt, failure));
            entryPoint.commence(request, response, failure);
            return;
        }
        UsernamePasswordAuthenticationToken authentication =
                UsernamePasswordAuthenticationToken.authenticated(user.get(), null, user.get().getAuthorities());
        authentication.setDetails(details.buildDetails(request));
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        // the user row was read just now to check the token: the caller needs no second look-up
        request.setAttribute(Caller.REQUEST_ATTRIBUTE, user.get().caller());
        chain.doFilter(request, response);
    }
}
