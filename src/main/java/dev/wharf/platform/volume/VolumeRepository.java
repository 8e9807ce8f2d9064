package dev.wharf.platform.volume;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface VolumeRepository extends JpaRepository<Volume, Long> {

    List<Volume> findByTeamIdOrderByNameAsc(Long teamId);

    Optional<Volume> findByTeamIdAndName(Long teamId, String name);

    long countByTeamId(Long teamId);
}
