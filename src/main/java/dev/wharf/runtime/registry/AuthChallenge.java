package dev.wharf.runtime.registry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="...",service="...",scope="..."}
 * or {@code Basic realm="..."}. The scheme is lowercased, parameter names too.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    private static final Pattern PARAM = Pattern.compile("([\\w-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]*))");

    static AuthChallenge parse(String header) {
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        Matcher matcher = PARAM.matcher(space < 0 ? "" : text.substring(space + 1));
        while (matcher.find()) {
            String value = matcher.group(2) != null ? matcher.group(2).replaceAll("\\\\(.)", "$1") : matcher.group(3);
            params.put(matcher.group(1).toLowerCase(Locale.ROOT), value);
        }
        return new AuthChallenge(scheme, Map.copyOf(params));
    }
}
