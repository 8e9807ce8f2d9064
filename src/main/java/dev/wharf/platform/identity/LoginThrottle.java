package dev.wharf.platform.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Brute-force guard, keyed by the client address. After {@value #FREE_FAILURES} failed logins from
 * one address for one user name, each further failure makes that address wait before it may try
 * that name again: 1 s, 2 s, 4 s … up to {@link #MAX_DELAY}. While it waits, its attempts are
 * refused without the password being checked. Independently, an address that fails
 * {@value #FREE_ADDRESS_FAILURES} times over any names waits the same growing way for every name.
 *
 * <p>There is no lock on a name itself: a stranger who guesses wrong for a name slows down only
 * himself (and whoever shares his address), never the owner logging in from elsewhere. Names that
 * do not exist are counted exactly like real ones, so the answer never tells them apart. A count is
 * forgotten {@link #FORGET_AFTER} after its last failure, and a pair's count on a successful login.
 * The client address is the socket's, or the one Spring's forwarded-header handling puts there when
 * {@code server.forward-headers-strategy} is set; headers are never read here. State is per server
 * process.
 */
@Component
class LoginThrottle {

    /** failures from one address for one name that cost nothing */
    static final int FREE_FAILURES = 5;
    /** failures from one address over all names that cost nothing */
    static final int FREE_ADDRESS_FAILURES = 100;
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofMinutes(5);
    static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    /** bound on remembered counts, so a flood of random names or addresses cannot grow memory without end */
    private static final int MAX_TRACKED = 100_000;

    private final Clock clock;
    private final Map<String, Attempts> byAddressAndName = new ConcurrentHashMap<>();
    private final Map<String, Attempts> byAddress = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    private static final class Attempts {
        int failures;
        Instant lastFailure;
        Instant blockedUntil;
    }

    /** Throws when this address must wait before trying this name again. */
    void check(String address, String name) {
        Instant now = clock.instant();
        Duration wait = max(waitOf(byAddressAndName.get(key(address, name)), now), waitOf(byAddress.get(address(address)), now));
        if (!wait.isZero()) {
            throw new LoginLockedException(wait);
        }
    }

    void failed(String address, String name) {
        Instant now = clock.instant();
        count(byAddressAndName, key(address, name), FREE_FAILURES, now);
        count(byAddress, address(address), FREE_ADDRESS_FAILURES, now);
    }

    void succeeded(String address, String name) {
        byAddressAndName.remove(key(address, name));
    }

    /** The wait after {@code failures} failures, of which the first {@code free} cost nothing: 1 s, 2 s, 4 s, … at most {@link #MAX_DELAY}. */
    static Duration delayAfter(int failures, int free) {
        if (failures < free) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - free, 30);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    private void count(Map<String, Attempts> counts, String key, int free, Instant now) {
        if (counts.size() >= MAX_TRACKED) {
            forgetExpired(counts, now);
            if (counts.size() >= MAX_TRACKED) {
                counts.clear(); // only a flood gets here; the other map still slows its source down
            }
        }
        Attempts attempts = counts.computeIfAbsent(key, k -> new Attempts());
        synchronized (attempts) {
            if (attempts.lastFailure != null && !now.isBefore(attempts.lastFailure.plus(FORGET_AFTER))) {
                attempts.failures = 0;
            }
            attempts.failures++;
            attempts.lastFailure = now;
            attempts.blockedUntil = now.plus(delayAfter(attempts.failures, free));
        }
    }

    private static Duration waitOf(Attempts attempts, Instant now) {
        if (attempts == null) {
            return Duration.ZERO;
        }
        synchronized (attempts) {
            return attempts.blockedUntil != null && now.isBefore(attempts.blockedUntil)
                    ? Duration.between(now, attempts.blockedUntil) : Duration.ZERO;
        }
    }

    private static void forgetExpired(Map<String, Attempts> counts, Instant now) {
        counts.values().removeIf(attempts -> {
            synchronized (attempts) {
                return attempts.lastFailure == null || !now.isBefore(attempts.lastFailure.plus(FORGET_AFTER));
            }
        });
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String address(String address) {
        return address == null ? "" : address;
    }

    private static String key(String address, String name) {
        return address(address) + " " + (name == null ? "" : name.strip().toLowerCase(Locale.ROOT));
    }
}
