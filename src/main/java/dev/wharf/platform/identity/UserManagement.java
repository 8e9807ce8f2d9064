package dev.wharf.platform.identity;

import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import java.time.Clock;
import java.util.List;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Users and passwords: the rules for who may create, change and delete accounts. Passwords follow
 * {@link PasswordRule}. A new password, set by its owner or by an admin, revokes every API token of
 * the user and ends the user's other dashboard sessions (the {@code SessionUserFilter} compares the
 * time the password changed with the one the session logged in with); a changed admin flag applies
 * to open sessions at their next request.
 */
@Service
@Transactional
public class UserManagement {

    static final int MIN_PASSWORD = PasswordRule.MIN_LENGTH;
    /** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
    static final int MAX_PASSWORD = PasswordRule.MAX_BYTES;

    private final UserRepository users;
    private final ApiTokenRepository tokens;
    private final PasswordEncoder passwords;
    private final RecentTokens recentTokens;
    private final Clock clock;

    UserManagement(UserRepository users, ApiTokenRepository tokens, PasswordEncoder passwords, RecentTokens recentTokens, Clock clock) {
        this.users = users;
        this.tokens = tokens;
        this.passwords = passwords;
        this.recentTokens = recentTokens;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    public List<UserAccount> list(Caller caller) {
        caller.requireAdmin("list users");
        return users.findAllByOrderByNameAsc();
    }

    @Transactional(readOnly = true)
    public UserAccount get(Caller caller, String name) {
        caller.requireAdmin("read other users");
        return find(name);
    }

    /** Looks a user up by name for other features (team membership); 404 when there is none. */
    @Transactional(readOnly = true)
    public UserAccount find(String name) {
        return users.findByName(name).orElseThrow(() -> WharfException.notFound("user \"" + name + "\" not found"));
    }

    public UserAccount create(Caller caller, String name, String password, boolean admin) {
        caller.requireAdmin("create users");
        Names.requireDnsLabel("name", name);
        PasswordRule.check(name, password);
        if (users.findByName(name).isPresent()) {
            throw WharfException.alreadyExists("user \"" + name + "\" already exists");
        }
        return users.save(new UserAccount(name, passwords.encode(password), admin, clock.instant()));
    }

    public UserAccount update(Caller caller, String name, String password, Boolean admin) {
        caller.requireAdmin("change users");
        UserAccount user = find(name);
        if (password != null) {
            setPassword(user, password);
        }
        if (admin != null && admin != user.isAdmin()) {
            if (!admin) {
                requireAnotherAdmin(user, "take admin rights from");
            }
            user.setAdmin(admin);
        }
        recentTokens.forgetAll(); // the user's token requests see the change at once
        return user;
    }

    public void delete(Caller caller, String name) {
        caller.requireAdmin("delete users");
        UserAccount user = find(name);
        if (user.getId() == caller.id()) {
            throw WharfException.conflict("you cannot delete yourself; ask another admin");
        }
        if (user.isAdmin()) {
            requireAnotherAdmin(user, "delete");
        }
        users.delete(user);
        recentTokens.forgetAll(); // the user's tokens stop working at once
    }

    /** Returns the user as changed: the session that changed it stays logged in only when told the new time (see {@code AccountPages}). */
    public UserAccount changeOwnPassword(Caller caller, String currentPassword, String newPassword) {
        caller.requireUser("change a password");
        UserAccount user = users.findById(caller.id()).orElseThrow(() -> WharfException.notFound("user not found"));
        if (user.getSource() != UserSource.LOCAL) {
            throw WharfException.conflict("you log in through your OpenID provider and have no Wharf password to change");
        }
        if (currentPassword == null || !passwords.matches(currentPassword, user.getPasswordHash())) {
            throw WharfException.invalidField("currentPassword", "the current password is not correct");
        }
        setPassword(user, newPassword);
        return user;
    }

    /** A new password ends the user's other sessions (see {@code SessionUserFilter}) and revokes all their API tokens. */
    private void setPassword(UserAccount user, String password) {
        if (user.getSource() != UserSource.LOCAL) {
            throw WharfException.conflict("\"" + user.getName() + "\" logs in through its OpenID provider and has no Wharf password");
        }
        PasswordRule.check(user.getName(), password);
        user.changePassword(passwords.encode(password), clock.instant());
        tokens.revokeAllOf(user.getId(), clock.instant());
        recentTokens.forgetAll();
    }

    /** Creates the first platform admin when there are no users at all; returns false when users exist. */
    boolean createFirstAdmin(String name, String password) {
        if (users.count() > 0) {
            return false;
        }
        PasswordRule.check(name, password);
        users.save(new UserAccount(name, passwords.encode(password), true, clock.instant()));
        return true;
    }

    /**
     * The user an OpenID provider vouches for: the one it made at the first login (found by provider and
     * subject, whatever name the provider gives now), or a new {@code oidc} user named {@code name}. A name
     * that belongs to someone else (a local user, or another provider's user) is refused (409), never merged.
     */
    public UserAccount providerLogin(String provider, String subject, String name) {
        java.util.Optional<UserAccount> known = users.findByOidcProviderAndOidcSubject(provider, subject);
        if (known.isPresent()) {
            return known.get();
        }
        if (name == null || !Names.isDnsLabel(name)) {
            throw WharfException.invalidField("name", "the provider gives the user name \"" + name
                    + "\", which Wharf cannot use: " + Names.DNS_LABEL_RULE);
        }
        if (users.findByName(name).isPresent()) {
            throw WharfException.conflict("the user name \"" + name + "\" already belongs to another Wharf user;"
                    + " an admin must rename or remove that user before you can log in through the provider");
        }
        return users.save(UserAccount.fromProvider(name, provider, subject, clock.instant()));
    }

    /**
     * Brings the admin flag of a provider's user in line with its groups: granted by a group, it follows
     * them; given by hand, it stays. The last admin keeps the flag. Returns whether it changed.
     */
    public boolean adminFromGroups(UserAccount user, boolean granted) {
        if (granted && !user.isAdmin()) {
            user.setAdmin(true);
            user.setAdminFromGroups(true);
        } else if (!granted && user.isAdmin() && user.isAdminFromGroups() && users.countByAdminTrue() > 1) {
            user.setAdmin(false);
            user.setAdminFromGroups(false);
        } else {
            return false;
        }
        users.save(user);
        recentTokens.forgetAll();
        return true;
    }

    @Transactional(readOnly = true)
    public Caller caller(long userId, String tokenId) {
        UserAccount user = users.findById(userId)
                .orElseThrow(() -> new WharfException(dev.wharf.platform.web.ErrorCategory.UNAUTHENTICATED, "your user no longer exists"));
        return new Caller(user.getId(), user.getName(), user.isAdmin(), tokenId);
    }

    private void requireAnotherAdmin(UserAccount user, String verb) {
        if (users.countByAdminTrue() <= 1) {
            throw WharfException.conflict("cannot " + verb + " \"" + user.getName() + "\": it is the last platform admin");
        }
    }
}
