package dev.wharf.platform.docker;

/**
 * Where Docker Engine API handlers are mapped. A request on the Docker port, {@code /v1.41/containers/json}
 * or {@code /containers/json}, reaches the handlers as {@code /docker-engine/containers/json}
 * ({@link DockerPortGate}); that prefix is unreachable from the main port, and the Docker port reaches
 * nothing outside it.
 */
public final class DockerApi {

    /** Every Docker handler's mapping starts with this ({@code @RequestMapping(DockerApi.BASE)}). */
    public static final String BASE = "/docker-engine";

    /** The newest API version served: what {@code /_ping} and {@code /version} announce. */
    public static final String VERSION = "1.44";

    /** The oldest API version served. */
    public static final String MIN_VERSION = "1.40";

    /** The request attribute holding the API version the client asked for (from the path; {@link #VERSION} when none). */
    public static final String VERSION_ATTRIBUTE = DockerApi.class.getName() + ".version";

    /** The request attribute set on every request that came through the Docker port. */
    static final String PORT_ATTRIBUTE = DockerApi.class.getName() + ".port";

    private DockerApi() {
    }

    /** Whether the request's API version (from the path) is at least {@code version} ("1.41"). */
    public static boolean atLeast(jakarta.servlet.http.HttpServletRequest request, String version) {
        Object asked = request.getAttribute(VERSION_ATTRIBUTE);
        return compare(asked instanceof String s ? s : VERSION, version) >= 0;
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return major != 0 ? major : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }

    /**
     * A list call's {@code filters} parameter, {@code {"label":{"a=b":true}}} or {@code {"label":["a=b"]}}
     * (older clients), as filter name → values; unreadable JSON is a 400.
     */
    static java.util.Map<String, java.util.List<String>> filters(tools.jackson.databind.json.JsonMapper json, String filters) {
        java.util.Map<String, java.util.List<String>> parsed = new java.util.LinkedHashMap<>();
        if (filters == null || filters.isBlank()) {
            return parsed;
        }
        tools.jackson.databind.JsonNode tree;
        try {
            tree = json.readTree(filters);
        } catch (RuntimeException e) {
            throw dev.wharf.platform.web.WharfException.invalid("invalid filters: " + filters);
        }
        for (var field : tree.properties()) {
            java.util.List<String> values = new java.util.ArrayList<>();
            tools.jackson.databind.JsonNode value = field.getValue();
            if (value.isArray()) {
                value.forEach(v -> values.add(v.asString()));
            } else if (value.isObject()) {
                value.propertyNames().forEach(values::add);
            } else {
                values.add(value.asString());
            }
            parsed.put(field.getKey(), values);
        }
        return parsed;
    }
}
