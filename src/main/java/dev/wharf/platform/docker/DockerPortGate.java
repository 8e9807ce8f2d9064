package dev.wharf.platform.docker;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ServletRequestPathUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the Docker API and the rest of Wharf apart. A request on the Docker port is moved under
 * {@link DockerApi#BASE} (its {@code /v1.NN} prefix taken off and kept as {@link DockerApi#VERSION_ATTRIBUTE}),
 * so it can reach Docker handlers and nothing else; a request for {@link DockerApi#BASE} on any other
 * port is not found. Every Docker answer carries the headers the Docker client reads ({@code Api-Version},
 * {@code OSType}). Runs before Spring Security, which then sees the moved path.
 */
class DockerPortGate extends OncePerRequestFilter {

    private static final Pattern VERSIONED = Pattern.compile("^/v(\\d{1,3})\\.(\\d{1,3})(/.*)?$");
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");

    private final DockerConnector connector;
    private final JsonMapper json;

    DockerPortGate(DockerConnector connector, JsonMapper json) {
        this.connector = connector;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean dockerPort = connector.enabled() && request.getLocalPort() == connector.port();
        if (!dockerPort) {
            String matched = asMatched(path);
            if (matched.equals(DockerApi.BASE) || matched.startsWith(DockerApi.BASE + "/")) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Api-Version", DockerApi.VERSION);
        response.setHeader("Docker-Experimental", "false");
        response.setHeader("OSType", "linux");
        response.setHeader("Server", "Wharf");
        if (DOT_SEGMENT.matcher(path).find()) {
            DockerErrors.write(response, json, 400, "the path " + path + " is not normalized");
            return;
        }
        String version = DockerApi.VERSION;
        Matcher versioned = VERSIONED.matcher(path);
        if (versioned.matches()) {
            version = Integer.parseInt(versioned.group(1)) + "." + Integer.parseInt(versioned.group(2));
            path = versioned.group(3) == null ? "/" : versioned.group(3);
            if (DockerApi.compare(version, DockerApi.MIN_VERSION) < 0) {
                DockerErrors.write(response, json, 400, "client version " + version + " is too old. Minimum supported API version is "
                        + DockerApi.MIN_VERSION + ", please upgrade your client to a newer version");
                return;
            }
            if (DockerApi.compare(version, DockerApi.VERSION) > 0) {
                DockerErrors.write(response, json, 400, "client version " + version + " is too new. Maximum supported API version is "
                        + DockerApi.VERSION);
                return;
            }
        }
        request.setAttribute(DockerApi.PORT_ATTRIBUTE, Boolean.TRUE);
        request.setAttribute(DockerApi.VERSION_ATTRIBUTE, version);
        ServletRequestPathUtils.clearParsedRequestPath(request);
        chain.doFilter(new Moved(request, DockerApi.BASE + path), response);
    }

    /**
     * The path as handler mappings match it: each segment without its {@code ;parameters} and decoded,
     * so {@code /docker%2Dengine/_ping} or {@code /docker-engine;x/_ping} is known for what it is.
     */
    static String asMatched(String rawPath) {
        StringBuilder matched = new StringBuilder();
        for (String segment : rawPath.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String bare = parameters >= 0 ? segment.substring(0, parameters) : segment;
            try {
                matched.append(org.springframework.web.util.UriUtils.decode(bare, java.nio.charset.StandardCharsets.UTF_8)).append('/');
            } catch (IllegalArgumentException badEscape) {
                matched.append(bare).append('/');
            }
        }
        return matched.substring(0, matched.length() - 1);
    }

    /** The request as if it had asked for {@code path} (inside the application). */
    private static final class Moved extends HttpServletRequestWrapper {

        private final String path;

        Moved(HttpServletRequest request, String path) {
            super(request);
            this.path = path;
        }

        @Override
        public String getRequestURI() {
            return getContextPath() + path;
        }

        @Override
        public StringBuffer getRequestURL() {
            return new StringBuffer(getScheme()).append("://").append(getServerName()).append(':').append(getServerPort())
                    .append(getRequestURI());
        }

        @Override
        public String getServletPath() {
            return org.springframework.web.util.UriUtils.decode(path, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String getPathInfo() {
            return null;
        }
    }
}
