package dev.wharf.runtime.bundle;

import dev.wharf.runtime.api.RuntimeFailure;
import java.util.List;

/**
 * The ids a container's process runs with, inside its user namespace, as resolved from the
 * spec's {@code user} and the image's {@code /etc/passwd} and {@code /etc/group}.
 *
 * @param additionalGids the process's groups: its gid first, then (when the spec names no group) the
 *                       user's supplementary groups, each once
 * @param home           the user's home directory from {@code /etc/passwd}, or null when it has none
 */
public record ProcessUser(int uid, int gid, List<Integer> additionalGids, String home) {

    public static final ProcessUser ROOT = new ProcessUser(0, 0, List.of(), "/root");

    /** {@code uid[:gid]} as numbers (the gid defaults to the uid), with no groups and no home. */
    public static ProcessUser ofNumbers(String user) {
        String[] parts = user.split(":");
        try {
            int uid = Integer.parseInt(parts[0]);
            return new ProcessUser(uid, parts.length > 1 ? Integer.parseInt(parts[1]) : uid, List.of(), null);
        } catch (NumberFormatException e) {
            throw RuntimeFailure.invalid("user must be uid[:gid] in numbers, got " + user);
        }
    }

    public ProcessUser {
        if (uid < 0 || gid < 0) {
            throw RuntimeFailure.invalid("uid and gid must not be negative");
        }
        additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
    }
}
