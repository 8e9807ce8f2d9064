package dev.wharf.platform.team;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface MembershipRepository extends JpaRepository<Membership, Long> {

    Optional<Membership> findByTeamIdAndUserId(Long teamId, Long userId);

    List<Membership> findByTeamIdOrderByUserNameAsc(Long teamId);

    List<Membership> findByUserIdOrderByTeamNameAsc(Long userId);

    long countByTeamIdAndRole(Long teamId, TeamRole role);

    void deleteByTeamId(Long teamId);
}
