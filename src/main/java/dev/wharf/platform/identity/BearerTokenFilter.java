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

/**
 * Authenticates {@code Authorization: Bearer wharf_…} API tokens, asking {@link RecentTokens} before the
 * database. The context is never stored in a session.
 */
final class BearerTokenFilter extends OncePerRequestFilter {

    private final TokenManagement tokens;
    private final RecentTokens recent;
    private final AuthenticationEntryPoint entryPoint;
    private final ApplicationEventPublisher events;
    private final WebAuthenticationDetailsSource details = new WebAuthenticationDetailsSource();

    BearerTokenFilter(TokenManagement tokens, RecentTokens recent, AuthenticationEntryPoint entryPoint, ApplicationEventPublisher events) {
        this.tokens = tokens;
        this.recent = recent;
        this.entryPoint = entryPoint;
        this.events = events;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || request.getAttribute(SessionLogin.EXTERNALLY_AUTHENTICATED) != null) {
            chain.doFilter(request, response);
            return;
        }
        String secret = header.substring(7).strip();
        Optional<RecentTokens.Holder> holder = Optional.empty();
        if (secret.startsWith(TokenManagement.PREFIX)) {
            String hash = TokenManagement.hash(secret);
            holder = recent.get(hash);
            if (holder.isEmpty()) {
                long readAt = recent.generation();
                holder = tokens.authenticate(hash);
                holder.ifPresent(found -> recent.remember(hash, found, readAt));
            }
        }
        if (holder.isEmpty()) {
            SecurityContextHolder.clearContext();
            UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated("(api token)", null);
            attempt.setDetails(details.buildDetails(request));
            BadCredentialsException failure = new BadCredentialsException("invalid, expired or revoked API token");
            events.publishEvent(new AuthenticationFailureBadCredentialsEvent(attempt, failure));
            entryPoint.commence(request, response, failure);
            return;
        }
        Caller caller = holder.get().caller();
        WharfUser user = new WharfUser(caller.id(), caller.name(), null, caller.admin(), caller.tokenId());
        UsernamePasswordAuthenticationToken authentication =
                UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
        authentication.setDetails(details.buildDetails(request));
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        // the user row was read just now to check the token: the caller needs no second look-up
        request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
        chain.doFilter(request, response);
    }
}
