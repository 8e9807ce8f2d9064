package dev.wharf.platform.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Brute-force guard: after {@value #MAX_FAILURES} failed logins for one user name within
 * {@link #WINDOW}, further attempts for that name are refused for {@link #LOCKOUT}. Names
 * that do not exist are counted exactly like real ones, so the answer never tells them apart.
 * State is per server process (a replica set shares it only through the database later).
 */
@Component
class LoginThrottle {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final Duration LOCKOUT = Duration.ofMinutes(5);
    /** bound on remembered names, so a flood of random names cannot grow memory without end */
    private static final int MAX_TRACKED = 100_000;

    private final Clock clock;
    private final Map<String, Attempts> byName = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    private static final class Attempts {
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant lockedUntil;
    }

    /** Throws when the name is locked out. */
    void check(String name) {
        Attempts attempts = byName.get(key(name));
        if (attempts == null) {
            return;
        }
        synchronized (attempts) {
            Instant now = clock.instant();
            if (attempts.lockedUntil != null && now.isBefore(attempts.lockedUntil)) {
                throw new LoginLockedException(Duration.between(now, attempts.lockedUntil));
            }
        }
    }

    void failed(String name) {
        if (byName.size() > MAX_TRACKED) {
            forgetExpired();
        }
        Attempts attempts = byName.computeIfAbsent(key(name), k -> new Attempts());
        synchronized (attempts) {
            Instant now = clock.instant();
            attempts.failures.addLast(now);
            while (!attempts.failures.isEmpty() && !attempts.failures.peekFirst().isAfter(now.minus(WINDOW))) {
                attempts.failures.removeFirst();
            }
            if (attempts.failures.size() >= MAX_FAILURES) {
                attempts.lockedUntil = now.plus(LOCKOUT);
                attempts.failures.clear();
            }
        }
    }

    void succeeded(String name) {
        byName.remove(key(name));
    }

    private void forgetExpired() {
        Instant cutoff = clock.instant().minus(WINDOW.plus(LOCKOUT));
        byName.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                Instant last = e.getValue().failures.peekLast();
                Instant locked = e.getValue().lockedUntil;
                return (last == null || last.isBefore(cutoff)) && (locked == null || locked.isBefore(clock.instant()));
            }
        });
    }

    private static String key(String name) {
        return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    }
}
