package dev.wharf.platform.audit;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.CallerResolver;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.platform.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Records every mutating request that reached a controller (API and dashboard alike), with its
 * outcome. Being a single interceptor, no new endpoint can forget to be audited. The action is
 * the method and route ({@code PUT /api/v1/teams/{team}/members/{user}}); the target is the
 * created resource's {@code Location} or the request path.
 *
 * <p>An event belongs to the team named in the route (by the team's id, looked up before the request
 * runs, so a deletion is the deleted team's) only when the caller is a member of it or a platform
 * admin. A refused request of anyone else goes to the platform's log: a stranger cannot write into a
 * team's log, nor learn from it that the team exists.
 */
@Component
class AuditInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final Pattern TEAM_IN_PATH = Pattern.compile("/teams/([a-z0-9-]+)");

    /** the team of a mutating request, as resolved before it ran ({@link TeamOfRequest}) */
    private static final String TEAM = AuditInterceptor.class.getName() + ".team";

    private final AuditLog audit;
    private final CallerResolver callers;
    private final TeamManagement teams;

    AuditInterceptor(AuditLog audit, CallerResolver callers, TeamManagement teams) {
        this.audit = audit;
        this.callers = callers;
        this.teams = teams;
    }

    /** The team an event belongs to; {@code id == null}: none, the platform's log. */
    private record TeamOfRequest(Long id, String name) {
        static final TeamOfRequest NONE = new TeamOfRequest(null, null);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    /** The ticket of a mutating request's answer written before its event (see {@link AuditLog#answering}). */
    static final String TICKET = AuditInterceptor.class.getName() + ".ticket";

    /** Called as a mutating request's answer body is about to be written: the log's readers wait for its event from now. */
    static void answering(HttpServletRequest request, AuditLog audit) {
        if (!SAFE_METHODS.contains(request.getMethod()) && request.getAttribute(TICKET) == null) {
            request.setAttribute(TICKET, audit.answering());
        }
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!SAFE_METHODS.contains(request.getMethod()) && handler instanceof HandlerMethod
                && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> vars
                && vars.get("team") instanceof String name) {
            request.setAttribute(TEAM, teamOf(request, name));
        } else if (!SAFE_METHODS.contains(request.getMethod()) && request.getAttribute(AuditLog.Acting.ATTRIBUTE) instanceof AuditLog.Acting acting) {
            request.setAttribute(TEAM, new TeamOfRequest(acting.teamId(), acting.team()));
        }
        return true;
    }

    /** The team for the event: the named team when the caller is one of its members or an admin, else none. */
    private TeamOfRequest teamOf(HttpServletRequest request, String name) {
        try {
            Caller caller = callers.current(request);
            if (caller == null) {
                return TeamOfRequest.NONE;
            }
            return new TeamOfRequest(teams.require(caller, name, TeamRole.VIEWER).team().getId(), name);
        } catch (WharfException e) {
            return TeamOfRequest.NONE; // no such team, or the caller is not in it
        } catch (RuntimeException e) {
            log.warn("could not tell the team of {} {} for its audit event", request.getMethod(), request.getRequestURI(), e);
            return TeamOfRequest.NONE;
        }
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        try {
            record(request, response, handler, ex);
        } finally {
            if (request.getAttribute(TICKET) instanceof Long ticket) {
                request.removeAttribute(TICKET);
                audit.written(ticket);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (SAFE_METHODS.contains(request.getMethod()) || !(handler instanceof HandlerMethod)) {
            return;
        }
        try {
            audit.record(entry(request, response, ex, team(request, response)));
        } catch (RuntimeException e) {
            log.error("could not write the audit event for {} {}", request.getMethod(), request.getRequestURI(), e);
        }
    }

    private static AuditLog.Entry entry(HttpServletRequest request, HttpServletResponse response, Exception ex, TeamOfRequest team) {
        Caller caller = request.getAttribute(Caller.REQUEST_ATTRIBUTE) instanceof Caller c ? c : null;
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        String actor = caller != null ? caller.name() : authentication != null ? authentication.getName() : "anonymous";
        String authorization = request.getHeader("Authorization");
        AuditLog.Acting acting = request.getAttribute(AuditLog.Acting.ATTRIBUTE) instanceof AuditLog.Acting a ? a : null;
        String authMethod = acting != null ? acting.authMethod()
                : caller != null && caller.grant() != null ? "jwt"
                : caller != null && caller.tokenId() != null ? "token"
                : authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6) ? "password" : "session";
        String pattern = String.valueOf(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE));
        String location = response.getHeader("Location");
        String target = location != null && location.startsWith("/") ? location : request.getRequestURI();
        int status = ex != null && response.getStatus() < 400 ? 500 : response.getStatus();
        Object failure = request.getAttribute(Problems.FAILURE_ATTRIBUTE);
        boolean failed = status >= 400 || failure != null;
        return new AuditLog.Entry(actor, authMethod, acting != null ? acting.credentialId() : caller == null ? null : caller.tokenId(),
                request.getMethod() + " " + pattern, target, team.name(), team.id(), request.getRemoteAddr(),
                failed ? AuditLog.FAILURE : AuditLog.SUCCESS, status,
                failure != null ? failure.toString() : ex != null ? ex.getClass().getSimpleName()
                        : caller != null && caller.grant() != null ? "issuer " + caller.grant().issuer() + ", subject " + caller.grant().subject() : null);
    }

    /** The team resolved before the request ran, or the one its answer names (a created team's {@code Location}). */
    private TeamOfRequest team(HttpServletRequest request, HttpServletResponse response) {
        if (request.getAttribute(TEAM) instanceof TeamOfRequest team) {
            return team;
        }
        String location = response.getHeader("Location");
        String target = location != null && location.startsWith("/") ? location : request.getRequestURI();
        Matcher matcher = TEAM_IN_PATH.matcher(target);
        return matcher.find() ? teamOf(request, matcher.group(1)) : TeamOfRequest.NONE;
    }
}
