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

    /**
     * What one more probe makes of this health, by Docker's rules: a probe that passes (exit code 0)
     * makes it {@code HEALTHY} with no failures, also during the start period; a failure while still
     * {@code STARTING} that began within {@code startPeriod} of {@code startedAt} does not count; any
     * other failure adds to the streak, and {@code retries} in a row make it {@code UNHEALTHY}. The
     * probe joins the log, which keeps the last {@link #LOG_SIZE}.
     */
    public Health after(Probe probe, HealthCheck check, Instant startedAt) {
        List<Probe> probes = new java.util.ArrayList<>(log);
        probes.add(probe);
        List<Probe> kept = probes.subList(Math.max(0, probes.size() - LOG_SIZE), probes.size());
        if (probe.exitCode() == 0) {
            return new Health(Status.HEALTHY, 0, kept);
        }
        boolean inStartPeriod = status == Status.STARTING && startedAt != null
                && probe.start().isBefore(startedAt.plus(check.startPeriod()));
        if (inStartPeriod) {
            return new Health(status, failingStreak, kept);
        }
        int streak = failingStreak + 1;
        return new Health(streak >= check.retries() ? Status.UNHEALTHY : status, streak, kept);
    }

    /** The last {@link #OUTPUT_TAIL} characters of a probe's output (no half of a surrogate pair at the start). */
    public static String tail(String output) {
        if (output == null) {
            return "";
        }
        if (output.length() <= OUTPUT_TAIL) {
            return output;
        }
        int from = output.length() - OUTPUT_TAIL;
        return output.substring(Character.isLowSurrogate(output.charAt(from)) ? from + 1 : from);
    }
}
