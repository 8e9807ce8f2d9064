package dev.wharf.platform.web;

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
