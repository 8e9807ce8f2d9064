package dev.wharf.platform.identity;

import java.util.Collection;
import java.util.List;
import org.springframework.security.core.CredentialsContainer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/** The authenticated principal; {@code tokenId} is set when the request came with an API token. */
final class WharfUser implements UserDetails, CredentialsContainer {

    private final long id;
    private final String name;
    private String passwordHash;
    private final boolean admin;
    private final String tokenId;

    WharfUser(long id, String name, String passwordHash, boolean admin, String tokenId) {
        this.id = id;
        this.name = name;
        this.passwordHash = passwordHash;
        this.admin = admin;
        this.tokenId = tokenId;
    }

    static WharfUser of(UserAccount user, String tokenId) {
        return new WharfUser(user.getId(), user.getName(), user.getPasswordHash(), user.isAdmin(), tokenId);
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
