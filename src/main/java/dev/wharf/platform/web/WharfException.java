package dev.wharf.platform.web;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure a caller can act on: a category (which fixes the HTTP status and problem type),
 * a sentence for a person, and optional extra problem fields.
 */
public class WharfException extends RuntimeException {

    private final ErrorCategory category;
    private final Map<String, Object> properties;

    public WharfException(ErrorCategory category, String detail) {
        this(category, detail, Map.of(), null);
    }

    public WharfException(ErrorCategory category, String detail, Map<String, Object> properties, Throwable cause) {
        super(detail, cause);
        this.category = category;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    public ErrorCategory category() {
        return category;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public static WharfException notFound(String detail) {
        return new WharfException(ErrorCategory.NOT_FOUND, detail);
    }

    public static WharfException invalid(String detail) {
        return new WharfException(ErrorCategory.INVALID_ARGUMENT, detail);
    }

    public static WharfException invalidField(String field, String detail) {
        return new WharfException(ErrorCategory.INVALID_ARGUMENT, detail,
                Map.of("errors", java.util.List.of(Map.of("field", field, "message", detail))), null);
    }

    public static WharfException alreadyExists(String detail) {
        return new WharfException(ErrorCategory.ALREADY_EXISTS, detail);
    }

    public static WharfException conflict(String detail) {
        return new WharfException(ErrorCategory.CONFLICT, detail);
    }

    public static WharfException forbidden(String detail) {
        return new WharfException(ErrorCategory.PERMISSION_DENIED, detail);
    }
}
