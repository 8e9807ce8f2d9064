package dev.wharf.platform.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.web.WharfException;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestartPolicyTests {

    @Test
    void noneNamedIsNo() {
        assertThat(RestartPolicy.parse(null)).hasToString("no");
        assertThat(RestartPolicy.parse(" ")).hasToString("no");
        assertThat(RestartPolicy.parse("no").restarts(1, 0, false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no", "always", "unless-stopped", "on-failure", "on-failure:3"})
    void aPolicyReadsBackAsWritten(String policy) {
        assertThat(RestartPolicy.parse(policy)).hasToString(policy);
        assertThat(RestartPolicy.parse(" " + policy + " ")).hasToString(policy);
    }

    @Test
    void onFailureWithoutALimitReadsAsOnFailure() {
        assertThat(RestartPolicy.parse("on-failure:0")).hasToString("on-failure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sometimes", "on-failure:", "on-failure:-1", "on-failure:x", "Always", "on-failure:3:4"})
    void anythingElseIsRefusedOnItsField(String policy) {
        assertThatThrownBy(() -> RestartPolicy.parse(policy)).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.getMessage()).isEqualTo("restartPolicy must be no, on-failure, on-failure:<max>, always or unless-stopped"));
    }

    @Test
    void alwaysAndUnlessStoppedRestartWhateverTheExitUnlessAPersonStoppedIt() {
        for (String name : new String[] {"always", "unless-stopped"}) {
            RestartPolicy policy = RestartPolicy.parse(name);
            assertThat(policy.restarts(0, 0, false)).isTrue();
            assertThat(policy.restarts(137, 1_000, false)).isTrue();
            assertThat(policy.restarts(1, 0, true)).isFalse();
            assertThat(policy.gaveUp(1, 1_000, false)).isFalse();
        }
    }

    @Test
    void onFailureRestartsOnlyAFailure() {
        RestartPolicy policy = RestartPolicy.parse("on-failure");
        assertThat(policy.restarts(0, 0, false)).isFalse();
        assertThat(policy.gaveUp(0, 0, false)).isFalse();
        assertThat(policy.restarts(1, 0, false)).isTrue();
        assertThat(policy.restarts(1, 10_000, false)).isTrue();
        assertThat(policy.restarts(1, 0, true)).isFalse();
        assertThat(policy.gaveUp(1, 0, true)).isFalse();
    }

    @Test
    void onFailureWithALimitGivesUpAfterThatManyRestarts() {
        RestartPolicy policy = RestartPolicy.parse("on-failure:2");
        assertThat(policy.restarts(1, 0, false)).isTrue();
        assertThat(policy.restarts(1, 1, false)).isTrue();
        assertThat(policy.restarts(1, 2, false)).isFalse();
        assertThat(policy.gaveUp(1, 2, false)).isTrue();
        assertThat(policy.gaveUp(0, 2, false)).isFalse();
    }

    @Test
    void backoffDoublesFromATenthOfASecondUpToAMinute() {
        assertThat(IntStream.range(0, 12).mapToObj(RestartPolicy::delay).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 12_800L, 25_600L, 51_200L, 60_000L, 60_000L);
        assertThat(RestartPolicy.delay(1_000_000)).isEqualTo(Duration.ofMinutes(1));
    }
}
