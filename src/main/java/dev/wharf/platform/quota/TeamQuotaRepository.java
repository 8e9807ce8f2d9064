package dev.wharf.platform.quota;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface TeamQuotaRepository extends JpaRepository<TeamQuota, Long> {

    /** The quota row, locked until the transaction ends: admissions of one team happen one at a time. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select q from TeamQuota q where q.teamId = :teamId")
    Optional<TeamQuota> lockByTeamId(@Param("teamId") Long teamId);
}
