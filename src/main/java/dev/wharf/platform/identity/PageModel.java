package dev.wharf.platform.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Puts the logged-in {@code caller} (or null) into every page's model for the layout's navigation. */
@ControllerAdvice
class PageModel {

    private final CallerResolver callers;

    PageModel(CallerResolver callers) {
        this.callers = callers;
    }

    @ModelAttribute("caller")
    Caller caller(HttpServletRequest request) {
        return callers.current(request);
    }
}
