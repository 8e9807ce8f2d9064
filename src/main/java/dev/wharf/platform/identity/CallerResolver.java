package dev.wharf.platform.identity;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Supplies a {@link Caller} parameter to controllers: the authenticated user as the database
 * has it now (so a removed admin flag or a deleted user takes effect at once). Cached per request;
 * a Bearer token request brings its caller from the token check, which read the user row.
 */
@Component
public class CallerResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private final UserManagement users;

    CallerResolver(UserManagement users) {
        this.users = users;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory) {
        Caller caller = current(webRequest.getNativeRequest(HttpServletRequest.class));
        if (caller == null) {
            throw new WharfException(ErrorCategory.UNAUTHENTICATED, "authentication required");
        }
        return caller;
    }

    /** The caller of this request, or {@code null} when nobody is logged in. */
    public Caller current(HttpServletRequest request) {
        if (request != null && request.getAttribute(Caller.REQUEST_ATTRIBUTE) instanceof Caller cached) {
            return cached;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof WharfUser user)) {
            return null;
        }
        Caller caller = users.caller(user.id(), user.tokenId());
        if (request != null) {
            request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
        }
        return caller;
    }
}
