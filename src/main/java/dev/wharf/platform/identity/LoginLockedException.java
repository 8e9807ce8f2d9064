package dev.wharf.platform.identity;

import java.time.Duration;
import org.springframework.security.authentication.LockedException;

/**
 * Login refused without checking the password: this client address failed too often for this user
 * name (or for many names) and must wait (see {@link LoginThrottle}). Other addresses are not affected.
 */
class LoginLockedException extends LockedException {

    private final Duration retryAfter;

    LoginLockedException(Duration retryAfter) {
        super("too many failed logins from your address; try again in " + seconds(retryAfter));
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static String seconds(Duration d) {
        long seconds = Math.max(1, (d.toMillis() + 999) / 1000);
        return seconds == 1 ? "1 second" : seconds + " seconds";
    }
}
