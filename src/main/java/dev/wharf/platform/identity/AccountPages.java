package dev.wharf.platform.identity;

import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Login page, my account (password) and my API tokens. */
@Controller
class AccountPages {

    private final UserManagement users;
    private final TokenManagement tokens;
    private final java.util.List<ExternalLogin> externalLogins;
    private final dev.wharf.WharfSettings settings;

    AccountPages(UserManagement users, TokenManagement tokens, java.util.List<ExternalLogin> externalLogins, dev.wharf.WharfSettings settings) {
        this.users = users;
        this.tokens = tokens;
        this.externalLogins = externalLogins;
        this.settings = settings;
    }

    /** The password form (unless {@code wharf.security.local-login} is off), a button per OpenID provider, and why a provider's login was refused. */
    @GetMapping("/login")
    String login(HttpServletRequest request, Model model) {
        model.addAttribute("providers", externalLogins.stream().flatMap(external -> external.buttons().stream()).toList());
        model.addAttribute("localLogin", settings.security().localLogin().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        jakarta.servlet.http.HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(ExternalLogin.REFUSAL_ATTRIBUTE) instanceof String refusal) {
            session.removeAttribute(ExternalLogin.REFUSAL_ATTRIBUTE);
            model.addAttribute("refusal", refusal);
        }
        return "login";
    }

    @GetMapping("/favicon.ico")
    String favicon() {
        return "redirect:/favicon.svg";
    }

    @GetMapping("/account")
    String account() {
        return "account";
    }

    @PostMapping("/account/password")
    String changePassword(Caller caller, @RequestParam String currentPassword, @RequestParam String newPassword,
            HttpServletRequest request, HttpServletResponse response, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/account", () -> {
            UserAccount changed = users.changeOwnPassword(caller, currentPassword, newPassword);
            SessionUserFilter.keepAfterPasswordChange(request, response, changed);
            return "Your password has been changed. Your other sessions have been logged out and all your API tokens revoked.";
        });
    }

    @GetMapping("/tokens")
    String tokens(Caller caller, Model model) {
        model.addAttribute("tokens", tokens.list(caller));
        return "tokens";
    }

    @PostMapping("/tokens")
    String createToken(Caller caller, @RequestParam String name, @RequestParam(required = false) Integer expiresInDays,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/tokens", () -> {
            flash.addFlashAttribute("created", tokens.create(caller, name, expiresInDays));
            return "Token created.";
        });
    }

    @PostMapping("/tokens/{id}/revoke")
    String revokeToken(Caller caller, @PathVariable String id, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/tokens", () -> {
            tokens.revoke(caller, id);
            return "Token revoked.";
        });
    }
}
