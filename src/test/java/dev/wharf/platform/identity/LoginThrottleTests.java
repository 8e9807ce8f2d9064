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

    static final String ATTACKER = "203.0.113.7";
    static final String OWNER = "198.51.100.20";

    @Test
    void afterFiveFailuresFromOneAddressForOneNameTheDelaysGrowUpToTheCap() {
        for (int i = 0; i < 4; i++) {
            throttle.failed(ATTACKER, "Bob");
            assertThatCode(() -> throttle.check(ATTACKER, "bob")).doesNotThrowAnyException();
        }
        throttle.failed(ATTACKER, "bob");
        assertThatThrownBy(() -> throttle.check(ATTACKER, "BOB")).isInstanceOf(LoginLockedException.class)
                .hasMessage("too many failed logins from your address; try again in 1 second")
                .satisfies(e -> assertThat(((LoginLockedException) e).retryAfterSeconds()).isEqualTo(1));
        long[] expected = {2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
        for (long seconds : expected) {
            clock.advance(LoginThrottle.MAX_DELAY); // any earlier wait is over
            throttle.failed(ATTACKER, "bob");
            assertThatThrownBy(() -> throttle.check(ATTACKER, "bob")).isInstanceOf(LoginLockedException.class)
                    .satisfies(e -> assertThat(((LoginLockedException) e).retryAfterSeconds()).isEqualTo(seconds));
        }
        clock.advance(Duration.ofSeconds(299));
        assertThatThrownBy(() -> throttle.check(ATTACKER, "bob")).isInstanceOf(LoginLockedException.class);
        clock.advance(Duration.ofSeconds(1));
        assertThatCode(() -> throttle.check(ATTACKER, "bob")).doesNotThrowAnyException();
    }

    @Test
    void aStrangerNeverLocksTheOwnerOutFromAnotherAddress() {
        for (int i = 0; i < 20; i++) {
            throttle.failed(ATTACKER, "admin");
        }
        assertThatThrownBy(() -> throttle.check(ATTACKER, "admin")).isInstanceOf(LoginLockedException.class);
        assertThatCode(() -> throttle.check(OWNER, "admin")).doesNotThrowAnyException();
        assertThatCode(() -> throttle.check(ATTACKER, "alice")).doesNotThrowAnyException();
    }

    @Test
    void oneAddressFailingForManyNamesIsSlowedForEveryName() {
        for (int i = 0; i < LoginThrottle.FREE_ADDRESS_FAILURES - 1; i++) {
            throttle.failed(ATTACKER, "user" + i);
        }
        assertThatCode(() -> throttle.check(ATTACKER, "someone-else")).doesNotThrowAnyException();
        throttle.failed(ATTACKER, "one-more");
        assertThatThrownBy(() -> throttle.check(ATTACKER, "someone-else")).isInstanceOf(LoginLockedException.class);
        assertThatCode(() -> throttle.check(OWNER, "someone-else")).doesNotThrowAnyException();
    }

    @Test
    void failuresAreForgottenHalfAnHourAfterTheLast() {
        for (int i = 0; i < 4; i++) {
            throttle.failed(ATTACKER, "carol");
        }
        clock.advance(LoginThrottle.FORGET_AFTER);
        throttle.failed(ATTACKER, "carol");
        assertThatCode(() -> throttle.check(ATTACKER, "carol")).doesNotThrowAnyException();
    }

    @Test
    void successClearsTheCountOfThatAddressAndName() {
        for (int i = 0; i < 4; i++) {
            throttle.failed(ATTACKER, "dave");
        }
        throttle.succeeded(ATTACKER, "dave");
        throttle.failed(ATTACKER, "dave");
        assertThatCode(() -> throttle.check(ATTACKER, "dave")).doesNotThrowAnyException();
    }
}
