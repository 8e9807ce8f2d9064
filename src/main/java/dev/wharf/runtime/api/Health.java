package dev.wharf.runtime.api;

import java.time.Instant;
import java.util.List;

/**
 * A container's health as its {@link HealthCheck} found it: {@code STARTING} from each start until
 * a probe passes (or {@code retries} fail after the start period), then {@code HEALTHY} or
 * {@code UNHEALTHY}.
 *
 * @param failingStreak probes failed in a row
 * @param log           the last {@link #LOG_SIZE} probes, oldest first
 */
public record Health(Status status, int failingStreak, List<Probe> log) {

    public static final int LOG_SIZE = 5;
    /** The most of a probe's output kept (its end). */
    public static final int OUTPUT_TAIL = 4096;

    public enum Status {
        STARTING, HEALTHY, UNHEALTHY;

        /** As in the API: {@code starting}, {@code healthy}, {@code unhealthy}. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One probe: when it ran, its exit code ({@code -1} when it timed out or could not run) and the tail of its output. */
    public record Probe(Instant start, Instant end, int exitCode, String output) {
    }

    public static final Health STARTING = new Health(Status.STARTING, 0, List.of());

    public Health {
        log = log == null ? List.of() : List.copyOf(log);
    }
}
