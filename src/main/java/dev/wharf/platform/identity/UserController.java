package dev.wharf.platform.identity;

import dev.wharf.platform.web.Names;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "Users", description = "Platform accounts (admins only)")
class UserController {

    private final UserManagement users;

    UserController(UserManagement users) {
        this.users = users;
    }

    record UserView(String name, boolean admin, UserSource source, Instant createdAt, Instant passwordChangedAt) {
        static UserView of(UserAccount user) {
            return new UserView(user.getName(), user.isAdmin(), user.getSource(), user.getCreatedAt(), user.getPasswordChangedAt());
        }
    }

    record NewUser(@NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_RULE) String name,
            @NotNull @Size(min = UserManagement.MIN_PASSWORD, max = UserManagement.MAX_PASSWORD) String password,
            Boolean admin) {
    }

    record UserChange(String name, @Size(min = UserManagement.MIN_PASSWORD, max = UserManagement.MAX_PASSWORD) String password,
            Boolean admin) {
    }

    @GetMapping
    @Operation(summary = "List users")
    List<UserView> list(Caller caller) {
        return users.list(caller).stream().map(UserView::of).toList();
    }

    @PostMapping
    @Operation(summary = "Create a user")
    ResponseEntity<UserView> create(Caller caller, @Valid @RequestBody NewUser body) {
        UserAccount user = users.create(caller, body.name(), body.password(), Boolean.TRUE.equals(body.admin()));
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.getName())).body(UserView.of(user));
    }

    @GetMapping("/{user}")
    @Operation(summary = "Get a user")
    UserView get(Caller caller, @PathVariable("user") String name) {
        return UserView.of(users.get(caller, name));
    }

    @PatchMapping("/{user}")
    @Operation(summary = "Change a user's password or admin flag",
            description = "A new password revokes all the user's API tokens and ends their dashboard sessions; a changed admin flag"
                    + " applies to their open sessions at the next request.")
    UserView update(Caller caller, @PathVariable("user") String name, @Valid @RequestBody UserChange body) {
        if (body.name() != null && !body.name().equals(name)) {
            throw dev.wharf.platform.web.WharfException.invalidField("name", "users cannot be renamed");
        }
        return UserView.of(users.update(caller, name, body.password(), body.admin()));
    }

    @DeleteMapping("/{user}")
    @Operation(summary = "Delete a user (their memberships and tokens go with them)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable("user") String name) {
        users.delete(caller, name);
        return ResponseEntity.noContent().build();
    }
}
