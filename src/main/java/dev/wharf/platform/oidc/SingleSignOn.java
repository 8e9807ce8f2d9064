package dev.wharf.platform.oidc;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.identity.UserAccount;
import dev.wharf.platform.identity.UserManagement;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.WharfException;
import java.util.Collection;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A person an OpenID provider vouched for becomes a Wharf user: found (or made, at the first login),
 * then given the platform admin flag and the memberships its groups map to (see {@link GroupMappings}).
 * Each login, refusal and change its groups made is audited with the provider and the subject.
 */
@Service
class SingleSignOn {

    private final UserManagement users;
    private final TeamManagement teams;
    private final GroupMappings mappings;
    private final AuditLog audit;

    SingleSignOn(UserManagement users, TeamManagement teams, GroupMappings mappings, AuditLog audit) {
        this.users = users;
        this.teams = teams;
        this.mappings = mappings;
        this.audit = audit;
    }

    /** The Wharf user, in line with its groups; a refusal (a name taken by another user, an unusable name) is audited and thrown. */
    @Transactional
    public UserAccount login(String provider, String subject, String name, Collection<String> groups, String address) {
        String method = "oidc:" + provider;
        UserAccount user;
        try {
            user = users.providerLogin(provider, subject, name);
        } catch (WharfException refused) {
            audit.record(new AuditLog.Entry(name == null ? "(unnamed)" : name, method, null, "login", "user/" + name, null, address,
                    AuditLog.FAILURE, null, "subject " + subject + ": " + refused.getMessage()));
            throw refused;
        }
        GroupMappings.Grants grants = mappings.grantsOf(groups);
        if (users.adminFromGroups(user, grants.admin())) {
            audit.record(new AuditLog.Entry(user.getName(), method, null, grants.admin() ? "grant admin" : "revoke admin",
                    "user/" + user.getName(), null, address, AuditLog.SUCCESS, null, "from groups; subject " + subject));
        }
        for (TeamManagement.GroupChange change : teams.alignWithGroups(user, grants.teams())) {
            String action = change.from() == null ? "add member" : change.to() == null ? "remove member" : "change member";
            String detail = "from groups; subject " + subject + "; role " + (change.from() == null ? "-" : change.from().wire())
                    + " -> " + (change.to() == null ? "-" : change.to().wire());
            audit.record(new AuditLog.Entry(user.getName(), method, null, action, "teams/" + change.team() + "/members/" + user.getName(),
                    change.team(), address, AuditLog.SUCCESS, null, detail));
        }
        return user;
    }
}
