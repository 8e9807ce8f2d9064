package dev.wharf.runtime.local;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a runc carries the fix for CVE-2024-21626 (a working directory in a leaked host
 * file descriptor, "Leaky Vessels": a container escape fixed upstream in runc 1.1.12), read from
 * what {@code runc --version} prints. Distributions backport the fix into older versions; a build
 * is accepted when its {@code commit:} line names one known to carry it. Known: Debian 12's
 * {@code 1.1.5+ds1-1+deb12u1} and later {@code deb12uN}. Builds of other distributions are
 * judged by their upstream version.
 */
record RuncVersion(int major, int minor, int patch, String commit) {

    static final RuncVersion MINIMUM = new RuncVersion(1, 1, 12, "");

    private static final Pattern VERSION = Pattern.compile("(?m)^runc version (\\d+)\\.(\\d+)\\.(\\d+)");
    private static final Pattern COMMIT = Pattern.compile("(?m)^commit: *(\\S*)");
    /** Debian 12's runc with the CVE-2024-21626 patch (DSA-5615): 1.1.5+ds1-1+deb12u1 and later security updates */
    private static final Pattern DEBIAN_12_FIXED = Pattern.compile("1\\.1\\.5\\+ds1-1\\+deb12u([1-9]\\d*)");

    /** The version {@code runc --version} printed, or empty when the text does not say. */
    static Optional<RuncVersion> parse(String versionOutput) {
        Matcher version = VERSION.matcher(versionOutput);
        if (!version.find()) {
            return Optional.empty();
        }
        Matcher commit = COMMIT.matcher(versionOutput);
        return Optional.of(new RuncVersion(Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2)),
                Integer.parseInt(version.group(3)), commit.find() ? commit.group(1) : ""));
    }

    /** Whether this runc has the CVE-2024-21626 fix: upstream 1.1.12 or later, or a distribution build known to carry it. */
    boolean fixed() {
        return compareTo(MINIMUM) >= 0 || DEBIAN_12_FIXED.matcher(commit).matches();
    }

    /**
     * The node problem for a runc without the fix, or empty when it has it; {@code versionOutput}
     * is what {@code runc --version} printed.
     */
    static Optional<String> problem(String runc, String versionOutput) {
        Optional<RuncVersion> found = parse(versionOutput);
        if (found.isEmpty()) {
            return Optional.of("cannot tell the version of " + runc + " ('runc --version' printed no version): install runc "
                    + MINIMUM + " or later");
        }
        if (found.get().fixed()) {
            return Optional.empty();
        }
        return Optional.of(runc + " is version " + found.get() + ", older than " + MINIMUM
                + ", which fixes the container escape CVE-2024-21626: upgrade runc (a distribution build with the fix backported,"
                + " such as Debian 12's 1.1.5+ds1-1+deb12u1, is accepted)");
    }

    private int compareTo(RuncVersion other) {
        int c = Integer.compare(major, other.major);
        c = c != 0 ? c : Integer.compare(minor, other.minor);
        return c != 0 ? c : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (commit.isEmpty() ? "" : " (" + commit + ")");
    }
}
