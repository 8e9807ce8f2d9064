package dev.wharf.platform.docker;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Supplies a {@link DockerCaller} parameter to Docker handlers, as the certificate check left it. */
@Component
class DockerCallerResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == DockerCaller.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory) {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        if (request != null && request.getAttribute(DockerCaller.REQUEST_ATTRIBUTE) instanceof DockerCaller caller) {
            return caller;
        }
        throw new WharfException(ErrorCategory.UNAUTHENTICATED, "a Docker client certificate is required");
    }
}
