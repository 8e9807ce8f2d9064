package dev.wharf.platform.audit;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Logins into the audit trail: every dashboard login, every failed login (form, HTTP Basic or
 * API token, including refusals while a client address is being throttled) and every logout. Successful
 * HTTP Basic and token authentications are not logins; the calls they make are audited. A login through an
 * OpenID provider names the provider ({@code oidc:<id>}) and the subject the provider knows the person by.
 */
@Component
class AuthenticationAudit {

    private final AuditLog audit;

    AuthenticationAudit(AuditLog audit) {
        this.audit = audit;
    }

    @EventListener
    void loggedIn(InteractiveAuthenticationSuccessEvent event) {
        record(event.getAuthentication(), "login", AuditLog.SUCCESS, null);
    }

    @EventListener
    void loginFailed(AbstractAuthenticationFailureEvent event) {
        record(event.getAuthentication(), "login", AuditLog.FAILURE, event.getException().getMessage());
    }

    @EventListener
    void loggedOut(LogoutSuccessEvent event) {
        record(event.getAuthentication(), "logout", AuditLog.SUCCESS, null);
    }

    private void record(Authentication authentication, String action, String outcome, String detail) {
        String name = authentication == null ? "anonymous" : authentication.getName();
        if (authentication instanceof OAuth2AuthenticationToken provided && provided.getPrincipal() instanceof OidcUser person) {
            audit.record(new AuditLog.Entry(name, "oidc:" + provided.getAuthorizedClientRegistrationId(), null, action, "user/" + name, null,
                    source(authentication), outcome, null, "subject " + person.getSubject()));
            return;
        }
        String method = name.equals("(api token)") ? "token" : currentRequest() != null
                && currentRequest().getHeader("Authorization") != null ? "password" : "form";
        audit.record(new AuditLog.Entry(name, method, null, action, "user/" + name, null, source(authentication), outcome,
                null, detail));
    }

    private static String source(Authentication authentication) {
        if (authentication != null && authentication.getDetails() instanceof WebAuthenticationDetails details) {
            return details.getRemoteAddress();
        }
        HttpServletRequest request = currentRequest();
        return request == null ? null : request.getRemoteAddr();
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getRequest() : null;
    }
}
