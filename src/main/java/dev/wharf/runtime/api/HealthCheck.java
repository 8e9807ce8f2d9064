package dev.wharf.runtime.api;

import java.time.Duration;
import java.util.List;

/**
 * How the node probes a container's health, as Docker's {@code HEALTHCHECK}: it runs {@code test}
 * inside the container (in the container's own cgroup, never on the host) every {@code interval};
 * a probe that exits 0 within {@code timeout} passes. {@code retries} failures in a row make the
 * container unhealthy; failures during {@code startPeriod} after a start do not count.
 *
 * @param test        {@code ["CMD", argv…]} (run as is) or {@code ["CMD-SHELL", "command"]} (run with {@code /bin/sh -c})
 * @param interval    time between the end of one probe and the start of the next (at least 1 s)
 * @param timeout     a probe still running after this fails and is killed (at least 1 s)
 * @param startPeriod grace after each start (0 or more)
 * @param retries     failures in a row that make the container unhealthy (at least 1)
 */
public record HealthCheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod, int retries) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;
    private static final Duration MIN = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofDays(1);

    public HealthCheck {
        if (test == null || test.size() < 2 || !(test.get(0).equals("CMD") || test.get(0).equals("CMD-SHELL"))
                || test.get(1) == null || test.get(1).isBlank()) {
            throw RuntimeFailure.invalid("a health check's test must be [\"CMD\", program, args…] or [\"CMD-SHELL\", \"command\"]");
        }
        if (test.get(0).equals("CMD-SHELL") && test.size() != 2) {
            throw RuntimeFailure.invalid("a CMD-SHELL health check has exactly one command string");
        }
        test = List.copyOf(test);
        interval = within("interval", interval == null ? DEFAULT_INTERVAL : interval, MIN);
        timeout = within("timeout", timeout == null ? DEFAULT_TIMEOUT : timeout, MIN);
        startPeriod = within("startPeriod", startPeriod == null ? Duration.ZERO : startPeriod, Duration.ZERO);
        if (retries < 1 || retries > 1000) {
            throw RuntimeFailure.invalid("a health check's retries must be between 1 and 1000, got " + retries);
        }
    }

    /** The argv a probe runs. */
    public List<String> command() {
        return test.get(0).equals("CMD-SHELL") ? List.of("/bin/sh", "-c", test.get(1)) : test.subList(1, test.size());
    }

    private static Duration within(String name, Duration value, Duration min) {
        if (value.compareTo(min) < 0 || value.compareTo(MAX) > 0) {
            throw RuntimeFailure.invalid("a health check's " + name + " must be between " + min.toSeconds() + " s and 1 day, got "
                    + value.toMillis() + " ms");
        }
        return value;
    }
}
