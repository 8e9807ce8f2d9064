package dev.wharf.platform.workload;

import dev.wharf.platform.web.WharfException;
import java.time.Duration;
import java.util.Locale;

/**
 * Docker's restart policies: {@code no}, {@code on-failure[:max]}, {@code always},
 * {@code unless-stopped}, as a pure rule. Restarts back off exponentially (100 ms doubling, at most a
 * minute). The count of restarts goes back to 0 only when a person starts the container.
 *
 * @param maxRetries for {@code on-failure:N}, N; 0 for no limit (and for the other policies)
 */
record RestartPolicy(Kind kind, int maxRetries) {

    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofMinutes(1);

    /** The policy's name, as the API takes it and as stored (before {@code :N}). */
    enum Kind {
        NO, ON_FAILURE, ALWAYS, UNLESS_STOPPED;

        String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The policy a request names ({@code null} or blank: {@code no}); 400 on {@code restartPolicy} for anything else. */
    static RestartPolicy parse(String text) {
        String value = text == null || text.isBlank() ? "no" : text.strip();
        for (Kind kind : Kind.values()) {
            if (kind.value().equals(value)) {
                return new RestartPolicy(kind, 0);
            }
        }
        if (value.startsWith("on-failure:")) {
            try {
                int max = Integer.parseInt(value.substring("on-failure:".length()));
                if (max >= 0) {
                    return new RestartPolicy(Kind.ON_FAILURE, max);
                }
            } catch (NumberFormatException e) {
                // falls through to the error
            }
        }
        throw WharfException.invalidField("restartPolicy", "restartPolicy must be no, on-failure, on-failure:<max>, always or unless-stopped");
    }

    /** Whether a container that exited with {@code exitCode}, after {@code restarts} restarts, starts again. */
    boolean restarts(int exitCode, int restarts, boolean stoppedByUser) {
        if (stoppedByUser) {
            return false;
        }
        return switch (kind) {
            case ALWAYS, UNLESS_STOPPED -> true;
            case ON_FAILURE -> exitCode != 0 && (maxRetries == 0 || restarts < maxRetries);
            case NO -> false;
        };
    }

    /** Whether an {@code on-failure} policy stops restarting a container that failed again (the row then says so). */
    boolean gaveUp(int exitCode, int restarts, boolean stoppedByUser) {
        return kind == Kind.ON_FAILURE && exitCode != 0 && !stoppedByUser && !restarts(exitCode, restarts, stoppedByUser);
    }

    /** How long to wait before restart number {@code restarts + 1}: 100 ms, 200 ms, 400 ms, … at most a minute. */
    static Duration delay(int restarts) {
        long millis = FIRST_DELAY.toMillis() << Math.min(restarts, 20);
        return Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
    }

    /** {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure}, {@code on-failure:3}: as stored and shown. */
    @Override
    public String toString() {
        return maxRetries > 0 ? kind.value() + ":" + maxRetries : kind.value();
    }
}
