package dev.wharf.platform.workload;

import java.util.List;

/**
 * Keys of a team's containers (see {@link Container.Key}), by name: four small columns per container
 * for lists whose views are mostly known. Read through plain JDBC ({@link ContainerKeysImpl}): a list of
 * 1,000 is the most frequent query, and mapping its rows through Hibernate cost three times the query.
 */
interface ContainerKeys {

    List<Container.Key> keysByTeam(long teamId);

    List<Container.Key> keysByTeamAndProject(long teamId, long projectId);
}
