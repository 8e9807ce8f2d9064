package dev.wharf.platform.workload;

import dev.wharf.runtime.api.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One health probe as the container page's health log shows it: when it started, how long it took, its exit
 * code ({@code -1}: it timed out or could not run) and the end of its output.
 */
record ProbeRow(Instant start, String duration, int exitCode, String output) {

    /** The probes of a health view, newest first; none without a health check. */
    static List<ProbeRow> of(ContainerController.HealthView health) {
        if (health == null || health.log() == null) {
            return List.of();
        }
        List<ProbeRow> rows = new ArrayList<>();
        for (Health.Probe probe : health.log()) {
            rows.add(0, new ProbeRow(probe.start(), probe.start() == null || probe.end() == null ? "–"
                    : duration(Duration.between(probe.start(), probe.end())), probe.exitCode(), probe.output() == null ? "" : probe.output()));
        }
        return rows;
    }

    /** {@code 38 ms}, {@code 1.2 s}. */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
