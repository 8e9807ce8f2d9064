package dev.wharf.platform.docker;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RuntimeFailure;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Failures of Docker handlers as the Docker Engine answers them: the status of the failure's
 * category and {@code {"message": "..."}}, which the CLI prints as "Error response from daemon: ...".
 * Applies to {@link DockerController} classes only; the REST API keeps its problems.
 */
@RestControllerAdvice(annotations = DockerController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DockerErrors {

    private static final Logger log = LoggerFactory.getLogger(DockerErrors.class);

    /** Docker's error body. */
    record Message(@com.fasterxml.jackson.annotation.JsonProperty("message") String message) {
    }

    @ExceptionHandler(WharfException.class)
    ResponseEntity<Message> wharf(WharfException ex) {
        return answer(ex.category().status(), ex.getMessage());
    }

    @ExceptionHandler(RuntimeFailure.class)
    ResponseEntity<Message> runtime(RuntimeFailure ex, HttpServletRequest request) {
        HttpStatus status = switch (ex.kind()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, FAILED_PRECONDITION -> HttpStatus.CONFLICT;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
            log.error("runtime failure on Docker API {} {}: {}", request.getMethod(), request.getRequestURI(), ex.hostDetail(), ex);
        }
        return answer(status, ex.getMessage());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, MissingServletRequestParameterException.class,
            MethodArgumentTypeMismatchException.class})
    ResponseEntity<Message> badRequest(Exception ex) {
        String detail = ex instanceof HttpMessageNotReadableException ? "the request body is not valid JSON for this call"
                : ex instanceof MethodArgumentTypeMismatchException mismatch ? "invalid value for " + mismatch.getName()
                : ex.getMessage();
        return answer(HttpStatus.BAD_REQUEST, detail);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Message> method(HttpRequestMethodNotSupportedException ex) {
        return answer(HttpStatus.METHOD_NOT_ALLOWED, ex.getMessage());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Message> mediaType(HttpMediaTypeNotSupportedException ex) {
        return answer(HttpStatus.BAD_REQUEST, "unsupported Content-Type " + ex.getContentType());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Message> unexpected(Exception ex, HttpServletRequest request) {
        log.error("Docker API {} {} failed", request.getMethod(), request.getRequestURI(), ex);
        return answer(HttpStatus.INTERNAL_SERVER_ERROR, "internal error (the server's log has the details)");
    }

    static ResponseEntity<Message> answer(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new Message(message));
    }

    /** Writes a Docker error outside a handler (the port gate, the certificate check), with Spring's JSON mapper. */
    static void write(HttpServletResponse response, JsonMapper json, ErrorCategory category, String message) throws IOException {
        write(response, json, category.status().value(), message);
    }

    static void write(HttpServletResponse response, JsonMapper json, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(json.writeValueAsBytes(new Message(message)));
        response.flushBuffer();
    }
}
