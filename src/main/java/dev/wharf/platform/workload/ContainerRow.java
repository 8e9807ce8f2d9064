package dev.wharf.platform.workload;

import java.time.Duration;
import java.time.Instant;

/** A container as a row of the dashboard's tables: its facts plus an uptime a person reads at a glance. */
record ContainerRow(String name, String image, String project, String state, String reason, Integer exitCode, boolean oomKilled,
        int restarts, Instant startedAt, String uptime) {

    static ContainerRow of(Container c, String project, Instant now) {
        String uptime = ContainerStates.RUNNING.equals(c.getState()) && c.getStartedAt() != null
                ? "up " + human(Duration.between(c.getStartedAt(), now))
                : c.getFinishedAt() != null ? "exited " + human(Duration.between(c.getFinishedAt(), now)) + " ago" : "";
        return new ContainerRow(c.getName(), c.getImage(), project, c.getState(), c.getStateReason(), c.getExitCode(), c.isOomKilled(),
                c.getRestartCount(), c.getStartedAt(), uptime);
    }

    /** {@code 45s}, {@code 3m 12s}, {@code 2h 5m}, {@code 4d 3h}. */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }
}
