package dev.wharf.platform.identity;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.CredentialsContainer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * The authenticated principal; {@code tokenId} is set when the request came with an API token,
 * {@code passwordChangedAt} is the user's as it was at login (a session whose user changed the
 * password since is ended, see {@link SessionUserFilter}).
 */
final class WharfUser implements UserDetails, CredentialsContainer {

    private final long id;
    private final String name;
    private String passwordHash;
    private final boolean admin;
    private final String tokenId;
    private final Instant passwordChangedAt;

    WharfUser(long id, String name, String passwordHash, boolean admin, String tokenId) {
        this(id, name, passwordHash, admin, tokenId, null);
    }

    WharfUser(long id, String name, String passwordHash, boolean admin, String tokenId, Instant passwordChangedAt) {
        this.id = id;
        this.name = name;
        this.passwordHash = passwordHash;
        this.admin = admin;
        this.tokenId = tokenId;
        this.passwordChangedAt = passwordChangedAt;
    }

    static WharfUser of(UserAccount user, String tokenId) {
        return new WharfUser(user.getId(), user.getName(), user.getPasswordHash(), user.isAdmin(), tokenId, user.getPasswordChangedAt());
    }

    Instant passwordChangedAt() {
        return passwordChangedAt;
    }

    boolean admin() {
        return admin;
    }

    long id() {
        return id;
    }

    String tokenId() {
        return tokenId;
    }

    /** The caller this principal is, as the user row said when it was loaded. */
    Caller caller() {
        return new Caller(id, name, admin, tokenId);
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return admin ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER"));
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return name;
    }

    @Override
    public void eraseCredentials() {
        passwordHash = null;
    }
}
