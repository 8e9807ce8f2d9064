package dev.wharf.platform.team;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement.TeamAccess;
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
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams")
@Tag(name = "Teams", description = "Teams and their members (roles: owner, member, viewer)")
class TeamController {

    private final TeamManagement teams;

    TeamController(TeamManagement teams) {
        this.teams = teams;
    }

    record TeamSummary(String name, String displayName, Instant createdAt, TeamRole role) {
        static TeamSummary of(TeamAccess access) {
            Team team = access.team();
            return new TeamSummary(team.getName(), team.getDisplayName(), team.getCreatedAt(), access.role());
        }
    }

    record TeamDetail(String name, String displayName, Instant createdAt, TeamRole role, List<MemberView> members) {
    }

    record MemberView(String user, TeamRole role) {
        static MemberView of(Membership membership) {
            return new MemberView(membership.getUser().getName(), membership.getRole());
        }
    }

    record NewTeam(@NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_RULE) String name,
            @Size(max = 200) String displayName) {
    }

    record RoleChange(@NotNull(message = "must be one of owner, member, viewer") String role) {
    }

    @GetMapping
    @Operation(summary = "List the teams you belong to (admins: all teams)")
    List<TeamSummary> list(Caller caller) {
        return teams.list(caller).stream().map(TeamSummary::of).toList();
    }

    @PostMapping
    @Operation(summary = "Create a team (admins only)")
    ResponseEntity<TeamSummary> create(Caller caller, @Valid @RequestBody NewTeam body) {
        Team team = teams.create(caller, body.name(), body.displayName());
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team.getName()))
                .body(TeamSummary.of(new TeamAccess(team, null)));
    }

    @GetMapping("/{team}")
    @Operation(summary = "Get a team with its members")
    TeamDetail get(Caller caller, @PathVariable String team) {
        TeamAccess access = teams.require(caller, team, TeamRole.VIEWER);
        Team t = access.team();
        return new TeamDetail(t.getName(), t.getDisplayName(), t.getCreatedAt(), access.role(),
                teams.members(caller, team).stream().map(MemberView::of).toList());
    }

    @DeleteMapping("/{team}")
    @Operation(summary = "Delete a team (admins only; refused while it has containers or volumes)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable String team) {
        teams.delete(caller, team);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{team}/members")
    @Operation(summary = "List a team's members")
    List<MemberView> members(Caller caller, @PathVariable String team) {
        return teams.members(caller, team).stream().map(MemberView::of).toList();
    }

    @PutMapping("/{team}/members/{user}")
    @Operation(summary = "Add a member or change their role (team owners and admins)")
    MemberView putMember(Caller caller, @PathVariable String team, @PathVariable String user, @Valid @RequestBody RoleChange body) {
        return MemberView.of(teams.putMember(caller, team, user, TeamRole.parse(body.role())));
    }

    @DeleteMapping("/{team}/members/{user}")
    @Operation(summary = "Remove a member (team owners and admins)")
    ResponseEntity<Void> removeMember(Caller caller, @PathVariable String team, @PathVariable String user) {
        teams.removeMember(caller, team, user);
        return ResponseEntity.noContent().build();
    }
}
