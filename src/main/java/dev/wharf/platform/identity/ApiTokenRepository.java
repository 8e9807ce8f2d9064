package dev.wharf.platform.identity;

import java.util.List;
import java.util.Optional;
import java.time.Instant;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ApiTokenRepository extends JpaRepository<ApiToken, String> {

    /** The token with its user, in one query: every API request with a token asks. */
    @Query("select new dev.wharf.platform.identity.ApiTokenRepository$TokenOfUser(t, u) from ApiToken t, UserAccount u"
            + " where t.secretHash = :secretHash and u.id = t.userId")
    Optional<TokenOfUser> findWithUser(String secretHash);

    record TokenOfUser(ApiToken token, UserAccount user) {
    }

    List<ApiToken> findByUserIdAndRevokedAtIsNullOrderByCreatedAtDesc(Long userId);

    /** Revokes every token of the user that is not revoked yet (a new password does this); returns how many. */
    @Modifying(flushAutomatically = true, clearAutomatically = false)
    @Query("update ApiToken t set t.revokedAt = :now where t.userId = :userId and t.revokedAt is null")
    int revokeAllOf(Long userId, Instant now);
}
