package dev.wharf.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.wharf.runtime.api.RuntimeFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every failure of an API call into an RFC 9457 problem. Page requests are left to
 * {@link ErrorPages}, which shows the same sentence inside the dashboard layout.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE + 10) // after advice scoped to one feature (the Docker API answers in its own format)
class ProblemHandling {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

    @ExceptionHandler(WharfException.class)
    ResponseEntity<ProblemDetail> wharf(WharfException ex, HttpServletRequest request) throws WharfException {
        apiOnly(request, ex);
        return problem(request, ex.category(), ex.getMessage(), ex.properties());
    }

    @ExceptionHandler(RuntimeFailure.class)
    ResponseEntity<ProblemDetail> runtime(RuntimeFailure ex, HttpServletRequest request) throws RuntimeFailure {
        apiOnly(request, ex);
        ErrorCategory category = categoryOf(ex);
        if (category == ErrorCategory.INTERNAL) {
            log.error("runtime failure on {} {}: {}", request.getMethod(), request.getRequestURI(), ex.hostDetail(), ex);
        } else if (!ex.getMessage().equals(ex.hostDetail())) {
            log.info("runtime refusal on {} {}: {}", request.getMethod(), request.getRequestURI(), ex.hostDetail());
        }
        return problem(request, category, ex.getMessage(), Map.of());
    }

    /** The runtime's failure kinds as problem categories; a state conflict there is a 409 here. */
    static ErrorCategory categoryOf(RuntimeFailure failure) {
        return switch (failure.kind()) {
            case NOT_FOUND -> ErrorCategory.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorCategory.ALREADY_EXISTS;
            case INVALID_ARGUMENT -> ErrorCategory.INVALID_ARGUMENT;
            case FAILED_PRECONDITION -> ErrorCategory.CONFLICT;
            case UNAVAILABLE -> ErrorCategory.UNAVAILABLE;
            case INTERNAL -> ErrorCategory.INTERNAL;
        };
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ProblemDetail> invalidBody(MethodArgumentNotValidException ex, HttpServletRequest request)
            throws MethodArgumentNotValidException {
        apiOnly(request, ex);
        List<Map<String, Object>> errors = new ArrayList<>();
        for (FieldError error : ex.getBindingResult().getFieldErrors()) {
            errors.add(Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())));
        }
        ex.getBindingResult().getGlobalErrors()
                .forEach(error -> errors.add(Map.of("field", error.getObjectName(), "message", String.valueOf(error.getDefaultMessage()))));
        String detail = errors.stream().map(e -> e.get("field") + ": " + e.get("message")).sorted()
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return problem(request, ErrorCategory.INVALID_ARGUMENT, detail, Map.of("errors", errors));
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ProblemDetail> invalidParameter(HandlerMethodValidationException ex, HttpServletRequest request)
            throws HandlerMethodValidationException {
        apiOnly(request, ex);
        List<Map<String, Object>> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach(result -> result.getResolvableErrors().forEach(error -> errors.add(
                Map.of("field", String.valueOf(result.getMethodParameter().getParameterName()),
                        "message", String.valueOf(error.getDefaultMessage())))));
        String detail = errors.stream().map(e -> e.get("field") + ": " + e.get("message"))
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return problem(request, ErrorCategory.INVALID_ARGUMENT, detail, Map.of("errors", errors));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException ex, HttpServletRequest request)
            throws HttpMessageNotReadableException {
        apiOnly(request, ex);
        Throwable cause = ex.getMostSpecificCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String field = unknown.getPropertyName();
            return problem(request, ErrorCategory.INVALID_ARGUMENT, "unknown field \"" + field + "\"",
                    Map.of("errors", List.of(Map.of("field", field, "message", "unknown field"))));
        }
        if (cause instanceof DatabindException bind && !bind.getPath().isEmpty()) {
            String field = bind.getPathReference().replaceAll("^.*\\[\"?([^\"\\]]*)\"?]$", "$1");
            return problem(request, ErrorCategory.INVALID_ARGUMENT, "field \"" + field + "\" has the wrong type: " + bind.getOriginalMessage(),
                    Map.of("errors", List.of(Map.of("field", field, "message", "wrong type"))));
        }
        String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
                ? "a JSON request body is required"
                : "malformed JSON: " + firstLine(cause.getMessage());
        return problem(request, ErrorCategory.INVALID_ARGUMENT, detail, Map.of());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request)
            throws MethodArgumentTypeMismatchException {
        apiOnly(request, ex);
        return problem(request, ErrorCategory.INVALID_ARGUMENT,
                "parameter \"" + ex.getName() + "\" has an invalid value \"" + ex.getValue() + "\"", Map.of());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException ex, HttpServletRequest request)
            throws MissingServletRequestParameterException {
        apiOnly(request, ex);
        return problem(request, ErrorCategory.INVALID_ARGUMENT, "parameter \"" + ex.getParameterName() + "\" is required", Map.of());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> methodNotAllowed(HttpRequestMethodNotSupportedException ex, HttpServletRequest request)
            throws HttpRequestMethodNotSupportedException {
        apiOnly(request, ex);
        ResponseEntity<ProblemDetail> response = problem(request, ErrorCategory.METHOD_NOT_ALLOWED,
                request.getMethod() + " is not supported here; allowed: " + ex.getSupportedHttpMethods(), Map.of());
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(response.getHeaders());
        if (ex.getSupportedHttpMethods() != null) {
            headers.setAllow(ex.getSupportedHttpMethods());
        }
        return new ResponseEntity<>(response.getBody(), headers, response.getStatusCode());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException ex, HttpServletRequest request)
            throws HttpMediaTypeNotSupportedException {
        apiOnly(request, ex);
        return problem(request, ErrorCategory.UNSUPPORTED_MEDIA_TYPE,
                "content type " + ex.getContentType() + " is not supported; send application/json", Map.of());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noEndpoint(NoResourceFoundException ex, HttpServletRequest request) throws NoResourceFoundException {
        apiOnly(request, ex);
        return problem(request, ErrorCategory.NOT_FOUND,
                "no endpoint " + request.getMethod() + " " + request.getRequestURI(), Map.of());
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> accessDenied(AccessDeniedException ex, HttpServletRequest request) throws AccessDeniedException {
        apiOnly(request, ex);
        return problem(request, ErrorCategory.PERMISSION_DENIED, "you are not allowed to do this", Map.of());
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(DataIntegrityViolationException ex, HttpServletRequest request)
            throws DataIntegrityViolationException {
        apiOnly(request, ex);
        log.info("constraint violation on {} {}: {}", request.getMethod(), request.getRequestURI(), firstLine(ex.getMostSpecificCause().getMessage()));
        return problem(request, ErrorCategory.CONFLICT,
                "the change conflicts with another one made at the same time; reload and try again", Map.of());
    }

    /** A client left a streamed answer (the dashboard's live logs when the page closes): nothing to answer, nothing wrong. */
    @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
    void clientGone(org.springframework.web.context.request.async.AsyncRequestNotUsableException ex, HttpServletRequest request) {
        log.debug("client left {} {}: {}", request.getMethod(), request.getRequestURI(), ex.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception ex, HttpServletRequest request) throws Exception {
        apiOnly(request, ex);
        log.error("unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), ex);
        return problem(request, ErrorCategory.INTERNAL, "internal error; the server log has the details", Map.of());
    }

    private static <E extends Exception> void apiOnly(HttpServletRequest request, E ex) throws E {
        if (!Problems.isApi(request.getRequestURI())) {
            throw ex;
        }
    }

    private static ResponseEntity<ProblemDetail> problem(HttpServletRequest request, ErrorCategory category, String detail,
            Map<String, Object> properties) {
        ProblemDetail body = Problems.of(category, detail, properties);
        request.setAttribute(Problems.FAILURE_ATTRIBUTE, detail);
        body.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(category.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable body";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
