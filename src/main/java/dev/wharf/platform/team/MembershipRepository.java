package dev.wharf.platform.team;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface MembershipRepository extends JpaRepository<Membership, Long> {

    Optional<Membership> findByTeamIdAndUserId(Long teamId, Long userId);

    /** The user's role in the team, without loading the membership's team and user (every team request asks). */
    @Query("select m.role from Membership m where m.team.id = :teamId and m.user.id = :userId")
    Optional<TeamRole> roleOf(Long teamId, Long userId);

    List<Membership> findByTeamIdOrderByUserNameAsc(Long teamId);

    List<Membership> findByUserIdOrderByTeamNameAsc(Long userId);

    long countByTeamIdAndRole(Long teamId, TeamRole role);

    void deleteByTeamId(Long teamId);
}
