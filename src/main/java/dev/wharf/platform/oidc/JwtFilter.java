package dev.wharf.platform.oidc;

import dev.wharf.platform.identity.SessionLogin;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * On {@code /api/**}: a bearer token shaped like a JWT is judged by {@link JwtCallers}; accepted, the request is
 * the token's team role (for this request only), refused, it ends with a 401 problem saying why. Wharf's own
 * API tokens pass by untouched.
 */
final class JwtFilter extends OncePerRequestFilter {

    private final JwtCallers callers;
    private final Problems problems;

    JwtFilter(JwtCallers callers, Problems problems) {
        this.callers = callers;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || !JwtCallers.looksLikeJwt(header.substring(7).strip())) {
            chain.doFilter(request, response);
            return;
        }
        try {
            SessionLogin.forRequest(request, callers.authenticate(header.substring(7).strip(), request.getRemoteAddr()));
        } catch (JwtCallers.Refused refused) {
            SecurityContextHolder.clearContext();
            response.setHeader("WWW-Authenticate", "Bearer realm=\"wharf\", error=\"invalid_token\"");
            problems.write(request, response, ErrorCategory.UNAUTHENTICATED, refused.getMessage(), Map.of());
            return;
        }
        chain.doFilter(request, response);
    }
}
