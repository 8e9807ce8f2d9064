package dev.wharf.platform.workload;

import dev.wharf.runtime.api.Health;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * A container's health as its row keeps it ({@link Container#health}): the status word, the failing
 * streak and the last probes as JSON ({@code [{start, end, exitCode, output}]}), which must fit its
 * column: when the outputs are too long for it, each keeps a shorter end.
 */
final class HealthColumns {

    /** {@code containers.health_log}'s size */
    static final int LOG_CHARS = 40_000;

    private HealthColumns() {
    }

    /** Writes what the node reports into the row; {@code null} (no health check) clears it. */
    static void write(Container row, Health health, JsonMapper json) {
        if (health == null) {
            row.health(null, 0, null);
        } else {
            row.health(health.status().value(), health.failingStreak(), log(health.log(), json));
        }
    }

    /** Whether the row's status and streak are the health's (the log aside). */
    static boolean sameStatus(String status, int failingStreak, Health health) {
        return health == null ? status == null
                : health.status().value().equals(status) && health.failingStreak() == failingStreak;
    }

    /** The probes as JSON of at most {@link #LOG_CHARS} characters. */
    static String log(List<Health.Probe> probes, JsonMapper json) {
        List<Health.Probe> kept = probes;
        String text = json.writeValueAsString(kept);
        for (int tail = Health.OUTPUT_TAIL / 2; text.length() > LOG_CHARS; tail /= 2) {
            int chars = tail;
            kept = kept.stream().map(p -> new Health.Probe(p.start(), p.end(), p.exitCode(), end(p.output(), chars))).toList();
            text = json.writeValueAsString(kept);
        }
        return text;
    }

    private static String end(String output, int chars) {
        if (output == null || output.length() <= chars) {
            return output;
        }
        int from = output.length() - chars;
        return output.substring(from < output.length() && Character.isLowSurrogate(output.charAt(from)) ? from + 1 : from);
    }

    /** The probes of a row's {@code health_log} (none when it has none). */
    static List<Health.Probe> read(String log, JsonMapper json) {
        return log == null ? List.of() : json.readValue(log, json.getTypeFactory().constructCollectionType(List.class, Health.Probe.class));
    }
}
