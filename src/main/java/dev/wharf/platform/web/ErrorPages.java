package dev.wharf.platform.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The container's error dispatch target. API paths get a problem document; pages get the
 * dashboard's error page with a sentence a person can act on, never a stack trace.
 */
@Controller
class ErrorPages implements ErrorController {

    private final Problems problems;

    ErrorPages(Problems problems) {
        this.problems = problems;
    }

    @RequestMapping("/error")
    String error(HttpServletRequest request, HttpServletResponse response, Model model) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
        Throwable failure = known((Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
        ErrorCategory category = ErrorCategory.forStatus(status);
        String detail = describe(status, path, failure);
        if (failure instanceof WharfException wharf) {
            category = wharf.category();
            status = category.status().value();
        } else if (failure instanceof dev.wharf.runtime.api.RuntimeFailure runtimeFailure) {
            category = ProblemHandling.categoryOf(runtimeFailure);
            status = category.status().value();
        }
        if (Problems.isApi(path)) {
            problems.write(request, response, category, detail,
                    failure instanceof WharfException wharf ? wharf.properties() : Map.of());
            return null;
        }
        response.setStatus(status);
        model.addAttribute("status", status);
        model.addAttribute("title", category.title());
        model.addAttribute("detail", detail);
        return "error";
    }

    /** The platform's own failure inside a wrapper ("Request processing failed"), so a page answers with its category's status. */
    private static Throwable known(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof WharfException || t instanceof dev.wharf.runtime.api.RuntimeFailure) {
                return t;
            }
        }
        return failure;
    }

    private static String describe(int status, String path, Throwable failure) {
        if (failure instanceof dev.wharf.runtime.api.RuntimeFailure runtimeFailure) {
            return runtimeFailure.getMessage();
        }
        while (failure != null && !(failure instanceof WharfException) && failure.getCause() != null
                && failure.getCause() != failure) {
            failure = failure.getCause();
        }
        if (failure instanceof WharfException wharf) {
            return wharf.getMessage();
        }
        return switch (status) {
            case 400 -> "The request was not understood.";
            case 401 -> "Please log in first.";
            case 403 -> "You are not allowed to do this.";
            case 404 -> "There is nothing at " + path + ".";
            case 405 -> "This method is not supported at " + path + ".";
            default -> status >= 500 ? "Something went wrong on the server; the server log has the details." : "The request failed.";
        };
    }
}
