package dev.wharf.platform.identity;

import java.time.Duration;
import org.springframework.security.authentication.LockedException;

/** Login refused because of too many recent failures for the same user name. */
class LoginLockedException extends LockedException {

    private final Duration retryAfter;

    LoginLockedException(Duration retryAfter) {
        super("too many failed logins for this user; try again in " + minutes(retryAfter));
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static String minutes(Duration d) {
        long minutes = Math.max(1, (d.toSeconds() + 59) / 60);
        return minutes == 1 ? "1 minute" : minutes + " minutes";
    }
}
