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

    protected UserAccount() {
    }

    UserAccount(String name, String passwordHash, boolean admin, Instant now) {
        this.name = name;
        this.passwordHash = passwordHash;
        this.admin = admin;
        this.createdAt = now;
        this.passwordChangedAt = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
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
