package dev.wharf.runtime.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A process to run inside a running container, without a terminal. */
public record ExecSpec(List<String> args, Map<String, String> env, String workingDir, Duration timeout) {

    public ExecSpec {
        if (args == null || args.isEmpty() || args.get(0).isBlank()) {
            throw RuntimeFailure.invalid("exec needs a command");
        }
        args = List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw RuntimeFailure.invalid("exec timeout must be between 1 second and 1 hour");
        }
    }

    public static ExecSpec of(String... args) {
        return new ExecSpec(List.of(args), null, null, null);
    }
}
