package dev.wharf.platform.web;

import org.springframework.http.HttpStatus;

/**
 * The closed set of error categories every Wharf failure falls into (containerd's errdefs).
 * Each maps to one HTTP status and one stable problem {@code type} slug.
 */
public enum ErrorCategory {
    INVALID_ARGUMENT(HttpStatus.BAD_REQUEST, "invalid-argument", "Invalid argument"),
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required"),
    PERMISSION_DENIED(HttpStatus.FORBIDDEN, "permission-denied", "Permission denied"),
    QUOTA_EXCEEDED(HttpStatus.FORBIDDEN, "quota-exceeded", "Quota exceeded"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    ALREADY_EXISTS(HttpStatus.CONFLICT, "already-exists", "Already exists"),
    CONFLICT(HttpStatus.CONFLICT, "conflict", "Conflict"),
    FAILED_PRECONDITION(HttpStatus.CONFLICT, "failed-precondition", "Failed precondition"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type"),
    TOO_MANY_REQUESTS(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", "Too many requests"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error"),
    UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Unavailable");

    /** Problem types are relative URIs under this path; {@code GET /problems/{slug}} explains each. */
    public static final String TYPE_BASE = "/problems/";

    private final HttpStatus status;
    private final String slug;
    private final String title;

    ErrorCategory(HttpStatus status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String type() {
        return TYPE_BASE + slug;
    }

    public static ErrorCategory forStatus(int status) {
        for (ErrorCategory category : values()) {
            if (category.status.value() == status) {
                return category;
            }
        }
        return status >= 500 ? INTERNAL : INVALID_ARGUMENT;
    }
}
