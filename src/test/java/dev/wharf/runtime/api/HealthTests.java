package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's rules for what a probe makes of a container's health, as a pure function. */
class HealthTests {

    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    private static final HealthCheck CHECK = new HealthCheck(List.of("CMD", "true"), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10), 3);

    private static Health.Probe probe(int secondsAfterStart, int exitCode) {
        Instant start = STARTED.plusSeconds(secondsAfterStart);
        return new Health.Probe(start, start.plusMillis(20), exitCode, "exit " + exitCode);
    }

    @Test
    void failuresInTheStartPeriodDoNotCountButAPassMakesItHealthyAtOnce() {
        Health health = Health.STARTING.after(probe(1, 1), CHECK, STARTED).after(probe(2, 1), CHECK, STARTED)
                .after(probe(3, 1), CHECK, STARTED).after(probe(4, 1), CHECK, STARTED);
        assertThat(health.status()).isEqualTo(Health.Status.STARTING);
        assertThat(health.failingStreak()).isZero();
        assertThat(health.log()).hasSize(4);

        Health healthy = health.after(probe(5, 0), CHECK, STARTED);
        assertThat(healthy.status()).as("a pass within the start period").isEqualTo(Health.Status.HEALTHY);
        assertThat(healthy.failingStreak()).isZero();
    }

    @Test
    void retriesFailuresInARowAfterTheStartPeriodMakeItUnhealthyAndAPassHealsIt() {
        Health health = Health.STARTING;
        for (int i = 0; i < 2; i++) {
            health = health.after(probe(11 + i, 1), CHECK, STARTED);
            assertThat(health.status()).isEqualTo(Health.Status.STARTING);
            assertThat(health.failingStreak()).isEqualTo(i + 1);
        }
        health = health.after(probe(13, 2), CHECK, STARTED);
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.failingStreak()).isEqualTo(3);
        health = health.after(probe(14, -1), CHECK, STARTED);
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.failingStreak()).isEqualTo(4);

        Health healed = health.after(probe(15, 0), CHECK, STARTED);
        assertThat(healed.status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(healed.failingStreak()).isZero();
    }

    @Test
    void aHealthyContainerStaysHealthyUntilRetriesFailuresInARow() {
        Health health = Health.STARTING.after(probe(1, 0), CHECK, STARTED);
        health = health.after(probe(2, 1), CHECK, STARTED).after(probe(3, 1), CHECK, STARTED);
        assertThat(health.status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(health.failingStreak()).isEqualTo(2);
        health = health.after(probe(4, 0), CHECK, STARTED).after(probe(5, 1), CHECK, STARTED).after(probe(6, 1), CHECK, STARTED);
        assertThat(health.status()).as("the streak started again after the pass").isEqualTo(Health.Status.HEALTHY);
        assertThat(health.after(probe(7, 1), CHECK, STARTED).status()).isEqualTo(Health.Status.UNHEALTHY);
    }

    @Test
    void theLogKeepsTheLastProbesOldestFirst() {
        Health health = Health.STARTING;
        for (int i = 1; i <= Health.LOG_SIZE + 3; i++) {
            health = health.after(probe(i, i % 2), CHECK, STARTED);
        }
        assertThat(health.log()).hasSize(Health.LOG_SIZE);
        assertThat(health.log()).extracting(Health.Probe::start)
                .containsExactly(STARTED.plusSeconds(4), STARTED.plusSeconds(5), STARTED.plusSeconds(6), STARTED.plusSeconds(7),
                        STARTED.plusSeconds(8));
    }

    @Test
    void theOutputTailIsItsEndAndNeverHalfACharacter() {
        assertThat(Health.tail("short")).isEqualTo("short");
        String longOutput = "x".repeat(10_000) + "the end";
        assertThat(Health.tail(longOutput)).hasSize(Health.OUTPUT_TAIL).endsWith("the end");
        String emoji = "😀".repeat(Health.OUTPUT_TAIL) + "z"; // two chars each: the plain cut would keep half of one
        assertThat(Character.isLowSurrogate(emoji.charAt(emoji.length() - Health.OUTPUT_TAIL))).isTrue();
        String tail = Health.tail(emoji);
        assertThat(Character.isHighSurrogate(tail.charAt(0))).isTrue();
        assertThat(tail).hasSize(Health.OUTPUT_TAIL - 1).endsWith("😀z");
    }
}
