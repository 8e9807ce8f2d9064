package dev.wharf.platform.workload;

/** The states of docs/api.md, as stored. */
final class ContainerStates {

    static final String CREATED = "created";
    static final String RUNNING = "running";
    static final String EXITED = "exited";
    static final String RESTARTING = "restarting";
    static final String REMOVING = "removing";
    static final String UNKNOWN = "unknown";

    static final String DESIRED_RUNNING = "running";
    static final String DESIRED_STOPPED = "stopped";

    private ContainerStates() {
    }
}
