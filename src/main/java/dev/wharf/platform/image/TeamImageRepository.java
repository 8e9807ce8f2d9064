package dev.wharf.platform.image;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface TeamImageRepository extends JpaRepository<TeamImage, Long> {

    List<TeamImage> findByTeamIdOrderByReferenceAsc(Long teamId);

    Optional<TeamImage> findByTeamIdAndReference(Long teamId, String reference);

    Optional<TeamImage> findByIdAndTeamId(Long id, Long teamId);

    long countByDigest(String digest);
}
