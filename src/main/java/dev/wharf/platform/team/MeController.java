package dev.wharf.platform.team;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.UserManagement;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own account; lives beside teams because it lists the caller's memberships. */
@RestController
@RequestMapping("/api/v1/me")
@Tag(name = "Me", description = "The authenticated caller")
class MeController {

    private final TeamManagement teams;
    private final UserManagement users;

    MeController(TeamManagement teams, UserManagement users) {
        this.teams = teams;
        this.users = users;
    }

    record Me(String name, boolean admin, boolean viaToken, List<MyTeam> teams) {
    }

    record MyTeam(String name, String displayName, TeamRole role) {
    }

    record PasswordChange(@NotNull String currentPassword, @NotNull String newPassword) {
    }

    @GetMapping
    @Operation(summary = "The caller, with teams and roles")
    Me me(Caller caller) {
        if (caller.grant() != null) { // a JWT of a trusted issuer: the one team role its rule gives
            return new Me(caller.name(), false, true, teams.list(caller).stream()
                    .map(access -> new MyTeam(access.team().getName(), access.team().getDisplayName(), access.role())).toList());
        }
        return new Me(caller.name(), caller.admin(), caller.tokenId() != null, teams.membershipsOf(caller).stream()
                .map(m -> new MyTeam(m.getTeam().getName(), m.getTeam().getDisplayName(), m.getRole())).toList());
    }

    @PutMapping("/password")
    @Operation(summary = "Change your own password (needs the current one)",
            description = "Revokes all your API tokens and ends your dashboard sessions.")
    ResponseEntity<Void> changePassword(Caller caller, @Valid @RequestBody PasswordChange body) {
        users.changeOwnPassword(caller, body.currentPassword(), body.newPassword());
        return ResponseEntity.noContent().build();
    }
}
