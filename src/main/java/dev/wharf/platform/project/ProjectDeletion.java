package dev.wharf.platform.project;

/** Lets the workload feature refuse, or with force carry out, the removal of a project's containers. */
public interface ProjectDeletion {

    /** Throws a 409 when the project has containers and {@code force} is false; removes them when it is true. */
    void beforeDelete(Project project, boolean force, dev.wharf.platform.identity.Caller caller);
}
