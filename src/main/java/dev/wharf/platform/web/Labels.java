package dev.wharf.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Labels of containers, volumes and projects: at most {@value #MAX_LABELS} keys of up to 128
 * characters ({@code app}, {@code com.example/tier}), values up to 1024 characters, returned as
 * given; and the {@code ?label=key} / {@code ?label=key=value} filters of the lists.
 */
public final class Labels {

    public static final int MAX_LABELS = 64;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?");
    private static final int MAX_VALUE = 1024;

    private Labels() {
    }

    /** The labels checked and sorted by key; null is none. A refusal is a 400 naming {@code field}. */
    public static Map<String, String> check(String field, Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        if (labels.size() > MAX_LABELS) {
            throw WharfException.invalidField(field, "at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        Map<String, String> sorted = new TreeMap<>();
        labels.forEach((key, value) -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw WharfException.invalidField(field, "label key \"" + key + "\" is not valid: up to 128 letters, digits, '.', '_',"
                        + " '-' or '/', starting and ending with a letter or digit");
            }
            if (value == null || value.length() > MAX_VALUE) {
                throw WharfException.invalidField(field, "label \"" + key + "\" needs a string value of at most " + MAX_VALUE
                        + " characters");
            }
            sorted.put(key, value);
        });
        return sorted;
    }

    /** What a request's {@code labels} may hold, as the OpenAPI document describes it. */
    public static final String RULE = "set at create and never changed: at most 64 labels; keys of 1 to 128 letters, digits, '.', '_', "
            + "'-' or '/', starting and ending with a letter or digit; string values of at most 1024 characters";

    /** The list parameter that filters by label, as the OpenAPI document describes it. */
    public static final String FILTER_DESCRIPTION = "key or key=value (the value is everything after the first '='); repeat it to "
            + "ask for several labels at once: only what has all of them is listed";

    /** The {@code ?label=} filters of a list request, as {@link #filters(String, String[])} checks them. */
    public static List<String> filters(HttpServletRequest request) {
        return filters("label", request.getParameterValues("label"));
    }

    /**
     * The {@code ?label=} filters of a list request, each {@code key} or {@code key=value} (the value is everything
     * after the first {@code =}, and may be empty); none is an empty list. A key that is not a label key, or a value
     * longer than a label's, is a 400 naming {@code field}.
     */
    public static List<String> filters(String field, String[] filters) {
        if (filters == null) {
            return List.of();
        }
        for (String filter : filters) {
            int equals = filter.indexOf('=');
            String key = equals < 0 ? filter : filter.substring(0, equals);
            if (!KEY.matcher(key).matches()) {
                throw WharfException.invalidField(field, "label filter \"" + filter + "\" is not key or key=value with a valid label key:"
                        + " up to 128 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit");
            }
            if (equals >= 0 && filter.length() - equals - 1 > MAX_VALUE) {
                throw WharfException.invalidField(field, "label filter \"" + key + "=…\" has a value longer than " + MAX_VALUE
                        + " characters; no label can match it");
            }
        }
        return List.of(filters);
    }

    /**
     * Whether {@code labels} match every filter: {@code key} (the label is there) or {@code key=value}.
     * No filter matches everything.
     */
    public static boolean match(Map<String, String> labels, List<String> filters) {
        if (filters == null) {
            return true;
        }
        for (String filter : filters) {
            int equals = filter.indexOf('=');
            String key = equals < 0 ? filter : filter.substring(0, equals);
            String value = labels == null ? null : labels.get(key);
            if (value == null || equals >= 0 && !value.equals(filter.substring(equals + 1))) {
                return false;
            }
        }
        return true;
    }
}
