package dev.wharf.platform.audit;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Takes a ticket (see {@link AuditLog#answering}) just before a mutating request's answer body is
 * written: an answer of known length is complete for its client as soon as it is sent, before the
 * interceptor writes the request's audit event, and readers of the log must still find that event.
 */
@ControllerAdvice
class AuditedAnswers implements ResponseBodyAdvice<Object> {

    private final AuditLog audit;

    AuditedAnswers(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request, ServerHttpResponse response) {
        if (request instanceof ServletServerHttpRequest servlet) {
            AuditInterceptor.answering(servlet.getServletRequest(), audit);
        }
        return body;
    }
}
