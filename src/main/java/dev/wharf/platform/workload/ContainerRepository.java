package dev.wharf.platform.workload;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface ContainerRepository extends JpaRepository<Container, String> {

    List<Container> findByTeamIdOrderByNameAsc(Long teamId);

    List<Container> findByTeamIdAndProjectIdOrderByNameAsc(Long teamId, Long projectId);

    Optional<Container> findByTeamIdAndName(Long teamId, String name);

    List<Container> findByProjectId(Long projectId);

    List<Container> findByNode(String node);

    long countByTeamId(Long teamId);

    /** Records a container's measured layer size; 0 rows when it was deleted meanwhile. */
    @Modifying
    @Transactional
    @Query("update Container c set c.writableBytes = :bytes where c.id = :id")
    int recordWritableBytes(@Param("id") String id, @Param("bytes") long bytes);
}
