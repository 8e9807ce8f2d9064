package dev.wharf.platform.oidc;

import dev.wharf.platform.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/oidc/group-mappings")
@Tag(name = "Single sign-on", description = "Identity provider groups to teams and roles (admins only)")
class GroupMappingController {

    private final GroupMappings mappings;

    GroupMappingController(GroupMappings mappings) {
        this.mappings = mappings;
    }

    record NewMapping(String group, String team, String role, Boolean admin) {
    }

    @GetMapping
    @Operation(summary = "List group mappings")
    List<GroupMappings.View> list(Caller caller) {
        return mappings.list(caller);
    }

    @PostMapping
    @Operation(summary = "Map a group to a team and role, or to platform admin",
            description = "Applies to each user of the group at their next login through an OpenID provider.")
    ResponseEntity<GroupMappings.View> create(Caller caller, @RequestBody NewMapping body) {
        GroupMappings.View created = mappings.create(caller, body.group(), body.team(), body.role(), Boolean.TRUE.equals(body.admin()));
        return ResponseEntity.created(URI.create("/api/v1/oidc/group-mappings/" + created.id())).body(created);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Remove a group mapping", description = "Memberships it gave go at each user's next login.")
    ResponseEntity<Void> delete(Caller caller, @PathVariable("id") long id) {
        mappings.delete(caller, id);
        return ResponseEntity.noContent().build();
    }
}
