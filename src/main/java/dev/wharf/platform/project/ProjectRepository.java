package dev.wharf.platform.project;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface ProjectRepository extends JpaRepository<Project, Long> {

    List<Project> findByTeamIdOrderByNameAsc(Long teamId);

    Optional<Project> findByTeamIdAndName(Long teamId, String name);
}
