package dev.wharf.platform.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A dashboard session holds the user as they were at login. Right after the session's context is
 * loaded, this reads the user as the database has it now: when the user is gone, or their password
 * changed since the session logged in, the session ends (the request goes on unauthenticated);
 * otherwise the request's authorities come from the current admin flag, so a demoted admin loses the
 * admin URL rules at their next request. Requests with API tokens or HTTP Basic are authenticated
 * afresh each time and pass untouched.
 */
final class SessionUserFilter extends OncePerRequestFilter {

    private final UserRepository users;

    SessionUserFilter(UserRepository users) {
        this.users = users;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof WharfUser user && user.tokenId() == null) {
            Optional<UserAccount> current = users.findById(user.id());
            if (current.isEmpty() || !sameTime(current.get().getPasswordChangedAt(), user.passwordChangedAt())) {
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
                SecurityContextHolder.clearContext();
            } else {
                UserAccount account = current.get();
                WharfUser fresh = new WharfUser(account.getId(), account.getName(), null, account.isAdmin(), null,
                        user.passwordChangedAt());
                SecurityContext context = SecurityContextHolder.createEmptyContext();
                UsernamePasswordAuthenticationToken refreshed =
                        UsernamePasswordAuthenticationToken.authenticated(fresh, null, fresh.getAuthorities());
                refreshed.setDetails(authentication.getDetails());
                context.setAuthentication(refreshed);
                SecurityContextHolder.setContext(context); // for this request only: the session keeps what login stored
                if (request.getHeader("Authorization") == null) {
                    request.setAttribute(Caller.REQUEST_ATTRIBUTE, new Caller(account.getId(), account.getName(), account.isAdmin(), null));
                }
            }
        }
        chain.doFilter(request, response);
    }

    /**
     * The session of this request changed its own user's password: it stays logged in, under a new
     * session id, with the new password time (the user's other sessions end at their next request).
     */
    static void keepAfterPasswordChange(HttpServletRequest request, HttpServletResponse response, UserAccount account) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof WharfUser user) || user.tokenId() != null
                || user.id() != account.getId() || request.getSession(false) == null) {
            return;
        }
        WharfUser updated = new WharfUser(account.getId(), account.getName(), null, account.isAdmin(), null,
                account.getPasswordChangedAt());
        UsernamePasswordAuthenticationToken replaced =
                UsernamePasswordAuthenticationToken.authenticated(updated, null, updated.getAuthorities());
        replaced.setDetails(authentication.getDetails());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(replaced);
        SecurityContextHolder.setContext(context);
        request.changeSessionId();
        new HttpSessionSecurityContextRepository().saveContext(context, request, response);
    }

    private static boolean sameTime(Instant stored, Instant atLogin) {
        return stored != null && atLogin != null
                && Objects.equals(stored.truncatedTo(ChronoUnit.MILLIS), atLogin.truncatedTo(ChronoUnit.MILLIS));
    }
}
