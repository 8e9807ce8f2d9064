package dev.wharf.runtime.api;

/** A container's state as the runtime sees it. */
public enum ContainerState {
    /** prepared (cgroup, rootfs, bundle, monitor) and waiting for {@code start} */
    CREATED,
    /** its process runs */
    RUNNING,
    /** its process ended; exit code and OOM flag are known */
    EXITED
}
