package dev.wharf.platform.volume;

import dev.wharf.platform.identity.Caller;
import java.util.Map;

/** The names of a team's containers, as the workload feature knows them (the volumes page names those that mount each volume). */
public interface VolumeMounters {

    /** Container names by container id, for a viewer of the team. */
    Map<String, String> containerNames(Caller caller, String team);
}
