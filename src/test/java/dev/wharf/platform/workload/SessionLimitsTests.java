package dev.wharf.platform.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import org.junit.jupiter.api.Test;

class SessionLimitsTests {

    final SessionLimits limits = new SessionLimits(new LimitSettings(2, 3));
    final Caller alice = new Caller(1, "alice", false, null);
    final Caller bob = new Caller(2, "bob", false, null);
    final Caller carol = new Caller(3, "carol", false, null);

    @Test
    void aUserPastItsLimitIsRefusedWithScopeAndLimitUntilASlotIsClosed() {
        SessionLimits.Slot first = limits.acquire(alice, 10, "red", SessionLimits.Kind.EXEC);
        limits.acquire(alice, 10, "red", SessionLimits.Kind.TERMINAL);
        assertThatThrownBy(() -> limits.acquire(alice, 10, "red", SessionLimits.Kind.LOG_STREAM))
                .isInstanceOfSatisfying(WharfException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.TOO_MANY_REQUESTS);
                    assertThat(e.properties()).containsEntry("scope", "user").containsEntry("limit", 2);
                    assertThat(e.getMessage()).contains("followed log stream").contains("wharf.limits.concurrent-per-user");
                });
        first.close();
        first.close(); // twice gives back one
        limits.acquire(alice, 10, "red", SessionLimits.Kind.EXEC);
        assertThat(limits.openByUser(alice.id())).isEqualTo(2);
    }

    @Test
    void aFullTeamRefusesItsMembersButNotAnotherTeam() {
        limits.acquire(alice, 10, "red", SessionLimits.Kind.EXEC);
        limits.acquire(alice, 10, "red", SessionLimits.Kind.EXEC);
        SessionLimits.Slot bobs = limits.acquire(bob, 10, "red", SessionLimits.Kind.EXEC);
        assertThatThrownBy(() -> limits.check(bob, 10, "red", SessionLimits.Kind.TERMINAL))
                .isInstanceOfSatisfying(WharfException.class, e -> assertThat(e.properties()).containsEntry("scope", "team"));
        limits.acquire(carol, 11, "blue", SessionLimits.Kind.EXEC);
        bobs.close();
        limits.acquire(bob, 10, "red", SessionLimits.Kind.TERMINAL);
    }
}
