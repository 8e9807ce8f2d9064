package dev.wharf.platform.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A person or robot that logs in. The password is kept only as an adaptive hash. */
@Entity
@Table(name = "users")
public class UserAccount {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 63)
    private String name;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    @Column(nullable = false)
    private boolean admin;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "password_changed_at", nullable = false)
    private Instant passwordChangedAt;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    @Column(nullable = false, length = 8)
    private UserSource source = UserSource.LOCAL;

    /** for {@link UserSource#OIDC} users: the provider's id in {@code wharf.oidc.providers} and the subject it knows them by */
    @Column(name = "oidc_provider", length = 63)
    private String oidcProvider;

    @Column(name = "oidc_subject")
    private String oidcSubject;

    /** whether the admin flag came from the provider's groups (it then follows them at every login) */
    @Column(name = "admin_from_groups", nullable = false)
    private boolean adminFromGroups;

    protected UserAccount() {
    }

    UserAccount(String name, String passwordHash, boolean admin, Instant now) {
        this.name = name;
        this.passwordHash = passwordHash;
        this.admin = admin;
        this.createdAt = now;
        this.passwordChangedAt = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** A user of an OpenID provider: no password of its own (the hash matches nothing, and password login refuses it anyway). */
    static UserAccount fromProvider(String name, String provider, String subject, Instant now) {
        UserAccount user = new UserAccount(name, NO_PASSWORD, false, now);
        user.source = UserSource.OIDC;
        user.oidcProvider = provider;
        user.oidcSubject = subject;
        return user;
    }

    /** not a hash any encoder produces: no password matches it */
    static final String NO_PASSWORD = "{none}";

    public UserSource getSource() {
        return source;
    }

    public String getOidcProvider() {
        return oidcProvider;
    }

    public String getOidcSubject() {
        return oidcSubject;
    }

    boolean isAdminFromGroups() {
        return adminFromGroups;
    }

    void setAdminFromGroups(boolean adminFromGroups) {
        this.adminFromGroups = adminFromGroups;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    String getPasswordHash() {
        return passwordHash;
    }

    public boolean isAdmin() {
        return admin;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getPasswordChangedAt() {
        return passwordChangedAt;
    }

    /** The time is kept to the millisecond, as every database stores it: sessions compare it (see {@code SessionUserFilter}). */
    void changePassword(String hash, Instant now) {
        this.passwordHash = hash;
        this.passwordChangedAt = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    void setAdmin(boolean admin) {
        this.admin = admin;
    }
}
