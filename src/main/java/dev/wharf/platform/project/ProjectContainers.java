package dev.wharf.platform.project;

import dev.wharf.platform.identity.Caller;
import java.util.Map;

/** How many containers each of a team's projects holds, as the workload feature knows it (for the projects page). */
public interface ProjectContainers {

    /** Container counts by project name, for a viewer of the team; projects without containers are absent. */
    Map<String, Long> countByProject(Caller caller, String team);
}
