package dev.wharf.platform.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A request that starts a container writes what it inspected after the start, while the node's exit event may have
 * been written first (a {@code /bin/true} ends within a millisecond): the row must keep that exit, or the API would show
 * the container running until the next reconcile pass (seconds later).
 */
class ContainerExitOrderTests {

    private static final Instant STARTED = Instant.parse("2026-12-07T05:00:00.000100Z");

    private static Container created() {
        return new Container("c1", 1L, null, "web", "busybox", "{}", null, null, null, RestartPolicy.parse("no"),
                Container.DesiredState.RUNNING, "alice", STARTED.minusSeconds(1));
    }

    @Test
    void aRunningReportOfTheRunWhoseExitIsRecordedIsOlderThanTheRow() {
        Container row = created();
        row.exited(0, false, STARTED.plusMillis(3)); // the event stream's exit came first

        assertThat(row.exitedSince(STARTED)).isTrue();
        row.ranFrom(STARTED);
        assertThat(row.getState()).isEqualTo(Container.State.EXITED);
        assertThat(row.getStartedAt()).isEqualTo(STARTED);
        assertThat(row.getFinishedAt()).isEqualTo(STARTED.plusMillis(3));
    }

    @Test
    void anExitOfAnEarlierRunDoesNotHideALaterStart() {
        Container row = created();
        row.started(STARTED.minusSeconds(10));
        row.exited(1, false, STARTED.minusSeconds(5));

        assertThat(row.exitedSince(STARTED)).isFalse(); // started again since: running is news
        row.started(STARTED);
        assertThat(row.getState()).isEqualTo(Container.State.RUNNING);
    }

    @Test
    void aRowThatNeverExitedTakesTheStart() {
        assertThat(created().exitedSince(STARTED)).isFalse();
    }
}
