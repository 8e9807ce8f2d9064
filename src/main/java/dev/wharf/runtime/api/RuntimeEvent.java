package dev.wharf.runtime.api;

import java.time.Instant;

/** What the runtime reports about containers as it happens. */
public sealed interface RuntimeEvent {

    String containerId();

    Instant time();

    record ContainerStarted(String containerId, Instant time) implements RuntimeEvent {
    }

    /** The container's process ended. {@code oomKilled} is also reported on its own as {@link ContainerOomKilled}. */
    record ContainerExited(String containerId, Instant time, int exitCode, boolean oomKilled) implements RuntimeEvent {
    }

    record ContainerOomKilled(String containerId, Instant time) implements RuntimeEvent {
    }

    /** The container's health status changed ({@code starting}, {@code healthy}, {@code unhealthy}); {@code health} is as it is now. */
    record ContainerHealthChanged(String containerId, Instant time, Health health) implements RuntimeEvent {
    }
}
