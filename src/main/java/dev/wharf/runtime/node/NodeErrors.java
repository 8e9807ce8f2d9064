package dev.wharf.runtime.node;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.wire.WireFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.beans.TypeMismatchException;

/** The node protocol's errors: {@code {"kind","message"}} with the status of the kind. */
@RestControllerAdvice(assignableTypes = NodeApiController.class)
@ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
class NodeErrors {

    private static final Logger log = LoggerFactory.getLogger(NodeErrors.class);

    static HttpStatus status(RuntimeFailure.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, FAILED_PRECONDITION -> HttpStatus.CONFLICT;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    @ExceptionHandler(RuntimeFailure.class)
    ResponseEntity<byte[]> failure(RuntimeFailure failure) {
        if (failure.kind() == RuntimeFailure.Kind.INTERNAL) {
            log.error("node call failed: {}", failure.hostDetail(), failure);
        }
        return NodeApiController.json(status(failure.kind()), WireFailure.of(failure));
    }

    @ExceptionHandler({ServletRequestBindingException.class, TypeMismatchException.class,
            org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class})
    ResponseEntity<byte[]> badRequest(Exception e) {
        return failure(RuntimeFailure.invalid("bad request: " + e.getMessage()));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        return NodeApiController.json(HttpStatus.METHOD_NOT_ALLOWED, new WireFailure("INVALID_ARGUMENT", e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RuntimeFailure failure) {
                return failure(failure);
            }
        }
        return failure(new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node: " + e.getMessage(), e));
    }
}
