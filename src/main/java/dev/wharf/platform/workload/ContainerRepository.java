package dev.wharf.platform.workload;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface ContainerRepository extends JpaRepository<Container, String> {

    List<Container> findByTeamIdOrderByNameAsc(Long teamId);

    List<Container> findByTeamIdAndProjectIdOrderByNameAsc(Long teamId, Long projectId);

    Optional<Container> findByTeamIdAndName(Long teamId, String name);

    List<Container> findByProjectId(Long projectId);

    List<Container> findByNode(String node);

    long countByTeamId(Long teamId);
}
