package dev.wharf.platform.image;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A team's login for one registry; the password is stored only encrypted ({@link dev.wharf.platform.secret.SecretBox}). */
@Entity
@Table(name = "registry_credentials")
class RegistryCredential {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "team_id", nullable = false)
    private Long teamId;

    @Column(nullable = false)
    private String registry;

    @Column(nullable = false)
    private String username;

    @Column(nullable = false, length = 2000)
    private String secret;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected RegistryCredential() {
    }

    RegistryCredential(Long teamId, String registry) {
        this.teamId = teamId;
        this.registry = registry;
    }

    void set(String username, String encryptedSecret, Instant now) {
        this.username = username;
        this.secret = encryptedSecret;
        this.updatedAt = now;
    }

    String getRegistry() { return registry; }
    String getUsername() { return username; }
    String getSecret() { return secret; }
    Instant getUpdatedAt() { return updatedAt; }
}
