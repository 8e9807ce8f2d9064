package dev.wharf.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something from the host (Chromium, root, runc) skip without it on a
 * developer's machine, and fail instead when {@code WHARF_STRICT_TESTS=true} (as in CI), so
 * CI can never pass by skipping.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    public static boolean strict() {
        return Boolean.parseBoolean(System.getenv("WHARF_STRICT_TESTS"));
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (strict()) {
            throw new IllegalStateException("WHARF_STRICT_TESTS=true but " + what);
        }
        Assumptions.abort(what);
    }
}
