package dev.wharf.platform.workload;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface ContainerRepository extends JpaRepository<Container, String>, ContainerKeys {

    /** Every column, into {@link Container}'s read-only copy constructor: lists read rows, not managed entities. */
    String COPIES = "select new dev.wharf.platform.workload.Container(c.id, c.version, c.teamId, c.projectId, c.name, c.image, c.imageDigest,"
            + " c.spec, c.cpus, c.memoryBytes, c.pids, c.restartPolicy, c.desiredState, c.state, c.stateReason, c.exitCode,"
            + " c.oomKilled, c.restartCount, c.node, c.createdBy, c.createdAt, c.startedAt, c.finishedAt, c.ipAddress, c.writableBytes,"
            + " c.healthStatus, c.healthFailingStreak, c.healthLog)"
            + " from Container c";

    /** Read-only copies of these containers' rows (those that still exist), in no order. */
    @Query(COPIES + " where c.id in :ids")
    List<Container> copiesOf(java.util.Collection<String> ids);

    /** The team's containers by name, as read-only copies (a list of 1,000 must stay cheap to read). */
    @Query(COPIES + " where c.teamId = :teamId order by c.name")
    List<Container> listByTeam(Long teamId);

    /** As {@link #listByTeam}, of one project. */
    @Query(COPIES + " where c.teamId = :teamId and c.projectId = :projectId order by c.name")
    List<Container> listByTeamAndProject(Long teamId, Long projectId);

    Optional<Container> findByTeamIdAndName(Long teamId, String name);

    List<Container> findByProjectId(Long projectId);

    /** What the reconciler compares with the node, of each container placed there: a few small columns, not whole rows. */
    @Query("select new dev.wharf.platform.workload.ContainerRepository$Placement(c.id, c.name, c.teamId, c.node, c.state, c.ipAddress,"
            + " c.writableBytes, c.imageDigest, c.createdAt, c.healthStatus, c.healthFailingStreak) from Container c where c.node = :node")
    List<Placement> placedOnNode(String node);

    /** As {@link #placedOnNode}, for the containers placed on nodes other than these (nodes that were removed). */
    @Query("select new dev.wharf.platform.workload.ContainerRepository$Placement(c.id, c.name, c.teamId, c.node, c.state, c.ipAddress,"
            + " c.writableBytes, c.imageDigest, c.createdAt, c.healthStatus, c.healthFailingStreak) from Container c"
            + " where c.node is not null and c.node not in :nodes")
    List<Placement> placedOutside(@Param("nodes") java.util.Collection<String> nodes);

    /**
     * @param imageDigest  {@code null} while the container is being created
     * @param healthStatus what the row says of its health ({@code null}: none)
     */
    record Placement(String id, String name, Long teamId, String node, Container.State state, String ipAddress, long writableBytes,
            String imageDigest, java.time.Instant createdAt, String healthStatus, int healthFailingStreak) {
    }

    /** (node, count) of the team's placed containers. */
    @Query("select c.node, count(c) from Container c where c.teamId = :teamId and c.node is not null group by c.node")
    List<Object[]> countByNodeForTeam(@Param("teamId") long teamId);

    @Query("select distinct c.teamId from Container c where c.node = :node")
    List<Long> teamsOn(@Param("node") String node);

    long countByTeamId(Long teamId);

    /** Records a container's measured layer size; 0 rows when it was deleted meanwhile. */
    @Modifying
    @Transactional
    @Query("update Container c set c.writableBytes = :bytes where c.id = :id")
    int recordWritableBytes(@Param("id") String id, @Param("bytes") long bytes);

    /**
     * Deletes a container's row whatever its version: the reconciler may record the exit that the
     * removal itself caused while the row goes (an entity delete would fail its version check).
     */
    @Modifying
    @Transactional
    @Query("delete from Container c where c.id = :id")
    int deleteRow(@Param("id") String id);

    /** Every container's id (the reconciler tells the node's strangers from known containers with it). */
    @Query("select c.id from Container c")
    List<String> findAllIds();

    /** Declared limits of the containers placed on a node, summed by the database (placement asks on every create). */
    @Query("select count(c) as containers, sum(c.cpus) as cpus, sum(c.memoryBytes) as memoryBytes, sum(c.pids) as pids"
            + " from Container c where c.node = :node")
    Placed placedOn(String node);

    /** Sums of {@link #placedOn}; a sum is {@code null} when no container on the node declares that limit. */
    interface Placed {
        long getContainers();

        java.math.BigDecimal getCpus();

        Long getMemoryBytes();

        Long getPids();
    }
}
