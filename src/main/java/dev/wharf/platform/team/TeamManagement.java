package dev.wharf.platform.team;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.UserAccount;
import dev.wharf.platform.identity.UserManagement;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Teams and who is in them. A team the caller cannot see is reported as not found, so team
 * names never leak; platform admins see and manage every team as if they owned it.
 */
@Service
@Transactional
public class TeamManagement {

    private final TeamRepository teams;
    private final MembershipRepository memberships;
    private final UserManagement users;
    private final org.springframework.beans.factory.ObjectProvider<TeamDeletionGuard> deletionGuards;
    private final Clock clock;
    private final org.springframework.context.ApplicationEventPublisher events;

    TeamManagement(TeamRepository teams, MembershipRepository memberships, UserManagement users,
            org.springframework.beans.factory.ObjectProvider<TeamDeletionGuard> deletionGuards, Clock clock, org.springframework.context.ApplicationEventPublisher events) {
        this.teams = teams;
        this.memberships = memberships;
        this.users = users;
        this.deletionGuards = deletionGuards;
        this.clock = clock;
        this.events = events;
    }

    /** A team as one caller sees it: {@code role} is the caller's own role, {@code null} for an admin who is not a member. */
    public record TeamAccess(Team team, TeamRole role) {
    }

    /**
     * Whether the caller holds at least {@code role} in the team (admins always do); the team must
     * be visible to the caller (404 otherwise). For pages deciding which buttons to show.
     */
    @Transactional(readOnly = true)
    public boolean holds(Caller caller, String teamName, TeamRole role) {
        TeamAccess access = require(caller, teamName, TeamRole.VIEWER);
        return caller.admin() || (access.role() != null && access.role().includes(role));
    }

    /**
     * The team, if the caller holds at least {@code minimum} in it (admins always do). Not visible
     * at all: 404. Visible but the role is too low: 403 naming the role needed.
     */
    @Transactional(readOnly = true)
    public TeamAccess require(Caller caller, String teamName, TeamRole minimum) {
        if (caller.grant() != null) {
            return requireGranted(caller.grant(), teamName, minimum);
        }
        TeamRepository.TeamAndRole found = teams.findWithRoleOf(teamName, caller.id()).orElseThrow(() -> notFound(teamName));
        Team team = found.team();
        Optional<TeamRole> role = Optional.ofNullable(found.role());
        if (caller.admin()) {
            return new TeamAccess(team, role.orElse(null));
        }
        TeamRole held = role.orElseThrow(() -> notFound(teamName));
        if (!held.includes(minimum)) {
            throw WharfException.forbidden("you are " + article(held) + " of team \"" + teamName + "\"; this needs the "
                    + minimum.wire() + " role or higher");
        }
        return new TeamAccess(team, held);
    }

    /** A caller that is no user holds one role in one team; every other team does not exist for it. */
    private TeamAccess requireGranted(Caller.Grant grant, String teamName, TeamRole minimum) {
        if (!grant.team().equals(teamName)) {
            throw notFound(teamName);
        }
        Team team = teams.findByName(teamName).orElseThrow(() -> notFound(teamName));
        TeamRole held = TeamRole.parse(grant.role());
        if (!held.includes(minimum)) {
            throw WharfException.forbidden("the token is " + article(held) + " of team \"" + teamName + "\"; this needs the "
                    + minimum.wire() + " role or higher");
        }
        return new TeamAccess(team, held);
    }

    /** The team by id, for background work that acts for no caller (reconciler, quota pushes). */
    @Transactional(readOnly = true)
    public Team byId(long id) {
        return teams.findById(id).orElseThrow(() -> WharfException.notFound("team " + id + " not found"));
    }

    /** The id of the team that has this name now, for records that name a team without a caller (the audit log). */
    @Transactional(readOnly = true)
    public Optional<Long> idOf(String name) {
        return teams.findByName(name).map(Team::getId);
    }

    @Transactional(readOnly = true)
    public List<TeamAccess> list(Caller caller) {
        if (caller.grant() != null) {
            return teams.findByName(caller.grant().team()).map(team -> List.of(new TeamAccess(team, TeamRole.parse(caller.grant().role()))))
                    .orElse(List.of());
        }
        List<Membership> mine = memberships.findByUserIdOrderByTeamNameAsc(caller.id());
        if (!caller.admin()) {
            return mine.stream().map(m -> new TeamAccess(m.getTeam(), m.getRole())).toList();
        }
        return teams.findAllByOrderByNameAsc().stream()
                .map(team -> new TeamAccess(team, mine.stream().filter(m -> m.getTeam().getId().equals(team.getId()))
                        .map(Membership::getRole).findFirst().orElse(null)))
                .toList();
    }

    @Transactional(readOnly = true)
    public List<Membership> members(Caller caller, String teamName) {
        Team team = require(caller, teamName, TeamRole.VIEWER).team();
        return memberships.findByTeamIdOrderByUserNameAsc(team.getId());
    }

    @Transactional(readOnly = true)
    public List<Membership> membershipsOf(Caller caller) {
        return memberships.findByUserIdOrderByTeamNameAsc(caller.id());
    }

    public Team create(Caller caller, String name, String displayName) {
        caller.requireAdmin("create teams");
        Names.requireDnsLabel("name", name);
        if (displayName != null && displayName.length() > 200) {
            throw WharfException.invalidField("displayName", "displayName must have at most 200 characters");
        }
        if (teams.findByName(name).isPresent()) {
            throw WharfException.alreadyExists("team \"" + name + "\" already exists");
        }
        Team team = teams.save(new Team(name, displayName == null ? null : displayName.strip(), clock.instant()));
        events.publishEvent(new TeamCreated(team.getId(), team.getName()));
        return team;
    }

    public void delete(Caller caller, String name) {
        Team team = teams.findByName(name).orElseThrow(() -> notFound(name));
        if (!caller.admin()) {
            require(caller, name, TeamRole.VIEWER);
            caller.requireAdmin("delete teams");
        }
        deletionGuards.orderedStream().forEach(guard -> guard.checkDeletable(team));
        memberships.deleteByTeamId(team.getId());
        teams.delete(team);
        events.publishEvent(new TeamDeleted(team.getId(), team.getName()));
    }

    /** Adds a member or changes their role. Needs the team's owner role (or admin). */
    public Membership putMember(Caller caller, String teamName, String userName, TeamRole role) {
        Team team = require(caller, teamName, TeamRole.OWNER).team();
        UserAccount user = users.find(userName);
        Optional<Membership> existing = memberships.findByTeamIdAndUserId(team.getId(), user.getId());
        if (existing.isPresent()) {
            Membership membership = existing.get();
            if (membership.getRole() == TeamRole.OWNER && role != TeamRole.OWNER) {
                requireAnotherOwner(team, userName);
            }
            membership.setRole(role);
            return membership;
        }
        return memberships.save(new Membership(team, user, role, clock.instant()));
    }

    public void removeMember(Caller caller, String teamName, String userName) {
        Team team = require(caller, teamName, TeamRole.OWNER).team();
        UserAccount user = users.find(userName);
        Membership membership = memberships.findByTeamIdAndUserId(team.getId(), user.getId())
                .orElseThrow(() -> WharfException.notFound("user \"" + userName + "\" is not a member of team \"" + teamName + "\""));
        if (membership.getRole() == TeamRole.OWNER) {
            requireAnotherOwner(team, userName);
        }
        memberships.delete(membership);
    }

    /** A change a login's identity provider groups made to one membership: {@code from} or {@code to} is {@code null} when added or removed. */
    public record GroupChange(String team, TeamRole from, TeamRole to) {
    }

    /**
     * Brings the memberships of {@code user} that groups gave in line with {@code wanted} (team id → role):
     * adds, changes and removes them. A membership given by hand is left as it is, whatever the groups say;
     * a team owner who changes the role of a group-given membership by hand keeps it group-given.
     */
    public List<GroupChange> alignWithGroups(UserAccount user, java.util.Map<Long, TeamRole> wanted) {
        List<GroupChange> changes = new java.util.ArrayList<>();
        java.util.Map<Long, Membership> held = new java.util.HashMap<>();
        for (Membership membership : memberships.findByUserIdOrderByTeamNameAsc(user.getId())) {
            held.put(membership.getTeam().getId(), membership);
        }
        for (Membership membership : held.values()) {
            if (membership.isFromGroups() && !wanted.containsKey(membership.getTeam().getId())) {
                memberships.delete(membership);
                changes.add(new GroupChange(membership.getTeam().getName(), membership.getRole(), null));
            }
        }
        for (java.util.Map.Entry<Long, TeamRole> entry : wanted.entrySet()) {
            Membership membership = held.get(entry.getKey());
            if (membership == null) {
                Optional<Team> team = teams.findById(entry.getKey());
                if (team.isPresent()) {
                    Membership added = new Membership(team.get(), user, entry.getValue(), clock.instant());
                    added.setFromGroups(true);
                    memberships.save(added);
                    changes.add(new GroupChange(team.get().getName(), null, entry.getValue()));
                }
            } else if (membership.isFromGroups() && membership.getRole() != entry.getValue()) {
                changes.add(new GroupChange(membership.getTeam().getName(), membership.getRole(), entry.getValue()));
                membership.setRole(entry.getValue());
            }
        }
        return changes;
    }

    private void requireAnotherOwner(Team team, String userName) {
        if (memberships.countByTeamIdAndRole(team.getId(), TeamRole.OWNER) <= 1) {
            throw WharfException.conflict("\"" + userName + "\" is the last owner of team \"" + team.getName()
                    + "\"; make someone else owner first");
        }
    }

    private static WharfException notFound(String team) {
        return WharfException.notFound("team \"" + team + "\" not found");
    }

    private static String article(TeamRole role) {
        return role == TeamRole.OWNER ? "an owner" : "a " + role.wire();
    }
}
