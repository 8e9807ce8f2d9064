package dev.wharf.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problems, and writes them where no controller advice reaches (security filters, /error). */
@Component
public class Problems {

    /** Request attribute holding the sentence of a failed request, for the audit trail. */
    public static final String FAILURE_ATTRIBUTE = "dev.wharf.failure";

    private final JsonMapper json;

    Problems(JsonMapper json) {
        this.json = json;
    }

    public static ProblemDetail of(ErrorCategory category, String detail, Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(category.status(), detail);
        problem.setType(URI.create(category.type()));
        problem.setTitle(category.title());
        properties.forEach(problem::setProperty);
        return problem;
    }

    public void write(HttpServletRequest request, HttpServletResponse response, ErrorCategory category, String detail,
            Map<String, Object> properties) throws IOException {
        ProblemDetail problem = of(category, detail, properties);
        request.setAttribute(FAILURE_ATTRIBUTE, detail);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(category.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), problem);
    }

    /** Whether a request is an API call (answered with problem+json) rather than a page view. */
    public static boolean isApi(String path) {
        return path != null && (path.startsWith("/api/") || path.equals("/api") || path.startsWith("/actuator"));
    }
}
