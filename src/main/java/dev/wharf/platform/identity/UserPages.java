package dev.wharf.platform.identity;

import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Admin: the users of the platform. */
@Controller
class UserPages {

    private final UserManagement users;

    UserPages(UserManagement users) {
        this.users = users;
    }

    @GetMapping("/admin/users")
    String list(Caller caller, Model model) {
        model.addAttribute("users", users.list(caller));
        return "admin/users";
    }

    @PostMapping("/admin/users")
    String create(Caller caller, @RequestParam String name, @RequestParam String password,
            @RequestParam(defaultValue = "false") boolean admin, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/users", () -> {
            users.create(caller, name, password, admin);
            return "User " + name + " created.";
        });
    }

    @PostMapping("/admin/users/{name}/admin")
    String setAdmin(Caller caller, @PathVariable String name, @RequestParam boolean admin, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/users", () -> {
            users.update(caller, name, null, admin);
            return admin ? name + " is now a platform admin." : name + " is no longer a platform admin.";
        });
    }

    @PostMapping("/admin/users/{name}/delete")
    String delete(Caller caller, @PathVariable String name, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/users", () -> {
            users.delete(caller, name);
            return "User " + name + " deleted.";
        });
    }
}
