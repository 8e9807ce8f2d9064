package dev.wharf.platform.workload;

import java.util.List;
import java.util.stream.Stream;

/**
 * The create form's advanced section (folded by default), as typed: entrypoint (one argument per line),
 * user, labels ({@code key=value} lines), a health check whose test is a shell command, the stop timeout,
 * init, tmpfs rows and a read-only root. {@link ContainerForms} turns it into the API's fields.
 */
record AdvancedForm(String entrypoint, String user, String labels, String healthTest, String healthInterval, String healthTimeout,
        String healthStartPeriod, String healthRetries, Boolean healthRestart, String stopTimeout, Boolean init, List<TmpfsField> tmpfs,
        Boolean readOnlyRootfs) {

    static final AdvancedForm EMPTY = new AdvancedForm("", "", "", "", "", "", "", "", false, "", false, List.of(), false);

    /** The API's fields that this section fills in, as its field errors name them. */
    private static final List<String> FIELDS = List.of("entrypoint", "user", "labels", "healthcheck", "stopTimeout", "init", "tmpfs",
            "readOnlyRootfs");

    /** One tmpfs row, as typed; a row with neither path nor size is none. */
    record TmpfsField(String path, String size) {

        boolean isBlank() {
            return ContainerForms.blank(path) && ContainerForms.blank(size);
        }
    }

    /** Whether anything was typed or ticked here. */
    boolean filled() {
        return Stream.of(entrypoint, user, labels, healthTest, healthInterval, healthTimeout, healthStartPeriod, healthRetries, stopTimeout)
                .anyMatch(text -> !ContainerForms.blank(text))
                || Stream.of(healthRestart, init, readOnlyRootfs).anyMatch(Boolean.TRUE::equals)
                || !ContainerForms.filled(tmpfs, TmpfsField::isBlank).isEmpty();
    }

    /** Whether an API field error ({@code healthcheck.interval}, {@code tmpfs[0].size}, …) belongs to this section. */
    static boolean holds(String field) {
        return FIELDS.stream().anyMatch(f -> field.equals(f) || field.startsWith(f + ".") || field.startsWith(f + "["));
    }
}
