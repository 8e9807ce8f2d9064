package dev.wharf.platform.web;

import java.util.Arrays;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** {@code /problems/<slug>}: what each problem {@code type} means, so the type URIs of API errors lead somewhere. */
@Controller
class ProblemTypes {

    private static final Map<ErrorCategory, String> MEANING = Map.ofEntries(
            Map.entry(ErrorCategory.INVALID_ARGUMENT, "The request itself is wrong: a field breaks a rule, an unknown field, malformed JSON. "
                    + "The detail (and errors[].field) name what to fix. Nothing was changed."),
            Map.entry(ErrorCategory.UNAUTHENTICATED, "Send an API token (Authorization: Bearer …) or, where enabled, HTTP Basic."),
            Map.entry(ErrorCategory.PERMISSION_DENIED, "You are known but your role does not allow this (viewers read, members operate, "
                    + "owners manage members, admins manage the platform)."),
            Map.entry(ErrorCategory.QUOTA_EXCEEDED, "The team's quota would be passed. The fields resource, requested, used and limit say by "
                    + "how much; free resources or ask an admin for a larger quota."),
            Map.entry(ErrorCategory.NOT_FOUND, "There is no such thing, or it belongs to a team you are not in."),
            Map.entry(ErrorCategory.METHOD_NOT_ALLOWED, "This path does not take this HTTP method; the Allow header lists the ones it takes."),
            Map.entry(ErrorCategory.ALREADY_EXISTS, "A resource with this name exists already."),
            Map.entry(ErrorCategory.CONFLICT, "The current state forbids it (a running container, an image in use, a limit below usage). "
                    + "The detail says what to do first."),
            Map.entry(ErrorCategory.FAILED_PRECONDITION, "The current state forbids it; the detail says what to do first."),
            Map.entry(ErrorCategory.UNSUPPORTED_MEDIA_TYPE, "Send the body with the content type the endpoint takes (usually application/json)."),
            Map.entry(ErrorCategory.TOO_MANY_REQUESTS, "Too many at once: failed logins for this user name (wait for the Retry-After "
                    + "seconds), or execs, terminals and followed logs open at once for you or your team (fields scope and limit; "
                    + "close one or wait until one ends)."),
            Map.entry(ErrorCategory.INTERNAL, "Wharf failed; the server log has the details."),
            Map.entry(ErrorCategory.UNAVAILABLE, "A node or registry cannot be reached or cannot run containers now; GET /api/v1/nodes says why."));

    @GetMapping("/problems/{slug}")
    String problem(@PathVariable String slug, Model model) {
        ErrorCategory category = Arrays.stream(ErrorCategory.values()).filter(c -> c.slug().equals(slug)).findFirst()
                .orElseThrow(() -> WharfException.notFound("there is no problem type \"" + slug + "\""));
        model.addAttribute("category", category);
        model.addAttribute("meaning", MEANING.get(category));
        return "problem";
    }
}
