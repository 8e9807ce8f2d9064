package dev.wharf.platform.oidc;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which identity provider groups give which team roles (or platform admin rights). Only platform admins
 * read and change them. What a login's groups add up to is {@link #grantsOf}.
 */
@Service
@Transactional
public class GroupMappings {

    /** The longest group name kept (Entra ID and Okta group names fit well within it). */
    static final int MAX_GROUP = 255;

    private final GroupMappingRepository mappings;
    private final TeamManagement teams;
    private final Clock clock;

    GroupMappings(GroupMappingRepository mappings, TeamManagement teams, Clock clock) {
        this.mappings = mappings;
        this.teams = teams;
        this.clock = clock;
    }

    /** A mapping as users read it: the team's name (none for a platform admin mapping). */
    record View(long id, String group, String team, TeamRole role, boolean admin) {
    }

    /** What a set of groups gives: platform admin, and a role per team id (the highest when several groups name a team). */
    record Grants(boolean admin, Map<Long, TeamRole> teams) {
    }

    @Transactional(readOnly = true)
    public List<View> list(Caller caller) {
        caller.requireAdmin("read group mappings");
        return mappings.findAllByOrderByGroupAscIdAsc().stream().map(this::view).toList();
    }

    View create(Caller caller, String group, String teamName, String role, boolean admin) {
        caller.requireAdmin("map groups");
        if (group == null || group.isBlank() || group.length() > MAX_GROUP || !group.strip().equals(group)) {
            throw WharfException.invalidField("group", "group must be 1 to " + MAX_GROUP + " characters without leading or trailing spaces");
        }
        GroupMapping mapping;
        if (admin) {
            if (teamName != null || role != null) {
                throw WharfException.invalid("a platform admin mapping names no team and no role");
            }
            if (mappings.existsByGroupAndAdminTrue(group)) {
                throw WharfException.alreadyExists("group \"" + group + "\" already gives platform admin rights");
            }
            mapping = new GroupMapping(group, null, null, true, clock.instant());
        } else {
            if (teamName == null) {
                throw WharfException.invalidField("team", "team is required (or \"admin\": true for platform admins)");
            }
            if (role == null) {
                throw WharfException.invalidField("role", "role is required");
            }
            TeamRole teamRole = TeamRole.parse(role);
            Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
            if (mappings.existsByGroupAndTeamId(group, team.getId())) {
                throw WharfException.alreadyExists("group \"" + group + "\" is already mapped to team \"" + teamName + "\"");
            }
            mapping = new GroupMapping(group, team.getId(), teamRole, false, clock.instant());
        }
        return view(mappings.save(mapping));
    }

    void delete(Caller caller, long id) {
        caller.requireAdmin("remove group mappings");
        GroupMapping mapping = mappings.findById(id)
                .orElseThrow(() -> WharfException.notFound("group mapping " + id + " not found"));
        mappings.delete(mapping);
    }

    /** What {@code groups} give by the mappings as they are now; a group no mapping names gives nothing. */
    @Transactional(readOnly = true)
    Grants grantsOf(Collection<String> groups) {
        if (groups.isEmpty()) {
            return new Grants(false, Map.of());
        }
        boolean admin = false;
        Map<Long, TeamRole> roles = new HashMap<>();
        for (GroupMapping mapping : mappings.findByGroupIn(groups)) {
            if (mapping.isAdmin()) {
                admin = true;
            } else {
                roles.merge(mapping.getTeamId(), mapping.getRole(), (a, b) -> a.includes(b) ? a : b);
            }
        }
        return new Grants(admin, roles);
    }

    private View view(GroupMapping mapping) {
        String team = mapping.getTeamId() == null ? null : teams.byId(mapping.getTeamId()).getName();
        return new View(mapping.getId(), mapping.getGroup(), team, mapping.getRole(), mapping.isAdmin());
    }
}
