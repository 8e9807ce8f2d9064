package dev.wharf.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Supplier;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Runs a dashboard form action: on success a notice, on a {@link WharfException} the same
 * sentence the API would answer (also for a node's
 * {@code RuntimeFailure}), shown at the top of the next page (post/redirect/get).
 */
public final class PageActions {

    private PageActions() {
    }

    /**
     * A refusal's field errors by form field ({@code resources.memory} is the form's {@code memory}), for showing
     * each beside its field; empty when the refusal is not about a field.
     */
    public static java.util.Map<String, String> fieldErrors(WharfException e) {
        java.util.Map<String, String> errors = new java.util.LinkedHashMap<>();
        if (e.properties().get("errors") instanceof java.util.List<?> list) {
            for (Object item : list) {
                if (item instanceof java.util.Map<?, ?> error && error.get("field") instanceof String field) {
                    String key = field.startsWith("resources.") ? field.substring("resources.".length()) : field;
                    errors.put(key, String.valueOf(error.get("message")));
                }
            }
        }
        return errors;
    }

    /** A form shown again after a refusal: the audit trail records the sentence and the page answers with the refusal's status. */
    public static void refused(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response, WharfException e) {
        request.setAttribute(Problems.FAILURE_ATTRIBUTE, e.getMessage());
        response.setStatus(e.category().status().value());
    }

    /** As {@link #refused(HttpServletRequest, jakarta.servlet.http.HttpServletResponse, WharfException)} for a node's refusal, with the API's status for it. */
    public static void refused(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
            dev.wharf.runtime.api.RuntimeFailure e) {
        request.setAttribute(Problems.FAILURE_ATTRIBUTE, e.getMessage());
        response.setStatus(ProblemHandling.categoryOf(e).status().value());
    }

    public static String run(HttpServletRequest request, RedirectAttributes flash, String redirectTo, Supplier<String> action) {
        return run(request, flash, redirectTo, redirectTo, action);
    }

    /** As {@link #run(HttpServletRequest, RedirectAttributes, String, Supplier)}, going elsewhere on failure. */
    public static String run(HttpServletRequest request, RedirectAttributes flash, String onSuccess, String onFailure,
            Supplier<String> action) {
        try {
            flash.addFlashAttribute("notice", action.get());
            return "redirect:" + onSuccess;
        } catch (WharfException | dev.wharf.runtime.api.RuntimeFailure e) {
            request.setAttribute(Problems.FAILURE_ATTRIBUTE, e.getMessage());
            flash.addFlashAttribute("error", e.getMessage());
            return "redirect:" + onFailure;
        }
    }
}
