package dev.wharf.platform.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.Serializable;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;

/**
 * Makes a dashboard session the Wharf user's after a login that was not a password (single sign-on):
 * from then on the session is like any other ({@link SessionUserFilter} checks it at each request).
 */
public final class SessionLogin {

    /** Set on a request that a filter of an {@link ExternalLogin} authenticated (the API token filter then leaves it alone). */
    static final String EXTERNALLY_AUTHENTICATED = SessionLogin.class.getName() + ".external";

    private SessionLogin() {
    }

    /**
     * This request (only: nothing goes into a session) is made by {@code caller}, a caller that is no Wharf
     * user (a JWT of a trusted issuer): it gets the user role for the URL rules, never the admin role.
     */
    public static void forRequest(HttpServletRequest request, Caller caller) {
        WharfUser user = new WharfUser(caller.id(), caller.name(), null, false, null);
        UsernamePasswordAuthenticationToken authentication = UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
        request.setAttribute(EXTERNALLY_AUTHENTICATED, Boolean.TRUE);
    }

    /**
     * The session (under a fresh id) now holds {@code account}; {@code details} stays with it for the
     * logout (for example the provider's ID token).
     */
    public static void start(HttpServletRequest request, HttpServletResponse response, UserAccount account, Serializable details) {
        WharfUser user = new WharfUser(account.getId(), account.getName(), null, account.isAdmin(), null, account.getPasswordChangedAt());
        UsernamePasswordAuthenticationToken authentication = UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
        authentication.setDetails(details);
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        new HttpSessionSecurityContextRepository().saveContext(context, request, response);
    }
}
