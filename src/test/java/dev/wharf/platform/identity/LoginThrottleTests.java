package dev.wharf.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTests {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final MutableClock clock = new MutableClock();
    final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void locksForFiveMinutesAfterFiveFailuresWithinFiveMinutes() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("Bob");
            clock.advance(Duration.ofSeconds(30));
        }
        assertThatCode(() -> throttle.check("bob")).doesNotThrowAnyException();
        throttle.failed("bob");
        assertThatThrownBy(() -> throttle.check("BOB")).isInstanceOf(LoginLockedException.class)
                .satisfies(e -> assertThat(((LoginLockedException) e).retryAfterSeconds()).isEqualTo(300));
        clock.advance(Duration.ofMinutes(4));
        assertThatThrownBy(() -> throttle.check("bob")).isInstanceOf(LoginLockedException.class)
                .hasMessage("too many failed logins for this user; try again in 1 minute");
        clock.advance(Duration.ofMinutes(1));
        assertThatCode(() -> throttle.check("bob")).doesNotThrowAnyException();
        assertThatCode(() -> throttle.check("alice")).doesNotThrowAnyException();
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("carol");
        }
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        throttle.failed("carol");
        assertThatCode(() -> throttle.check("carol")).doesNotThrowAnyException();
    }

    @Test
    void successClearsTheCount() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("dave");
        }
        throttle.succeeded("dave");
        throttle.failed("dave");
        assertThatCode(() -> throttle.check("dave")).doesNotThrowAnyException();
    }
}
