package dev.wharf.platform.workload;

import dev.wharf.platform.web.WharfException;
import java.time.Duration;

/**
 * Docker's restart policies: {@code no}, {@code on-failure[:max]}, {@code always},
 * {@code unless-stopped}. Restarts back off exponentially (100 ms doubling, at most a minute).
 */
record RestartPolicy(String name, int maxRetries) {

    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofMinutes(1);

    static RestartPolicy parse(String text) {
        String value = text == null || text.isBlank() ? "no" : text.strip();
        if (value.equals("no") || value.equals("always") || value.equals("unless-stopped")) {
            return new RestartPolicy(value, 0);
        }
        if (value.equals("on-failure")) {
            return new RestartPolicy(value, 0);
        }
        if (value.startsWith("on-failure:")) {
            try {
                int max = Integer.parseInt(value.substring("on-failure:".length()));
                if (max >= 0) {
                    return new RestartPolicy("on-failure", max);
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
        return switch (name) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (maxRetries == 0 || restarts < maxRetries);
            default -> false;
        };
    }

    static Duration delay(int restarts) {
        long millis = FIRST_DELAY.toMillis() << Math.min(restarts, 20);
        return Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
    }

    @Override
    public String toString() {
        return maxRetries > 0 ? name + ":" + maxRetries : name;
    }
}
