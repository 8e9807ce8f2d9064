package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.TerminalSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * Counts the long-lived container sessions open per user and per team: execs while they run,
 * terminals while connected, followed log streams while their client listens. One more than
 * {@link LimitSettings} allows is refused with a 429 problem. A session holds its {@link Slot}
 * from admission to its end; closing the slot (any number of times) gives it back.
 */
@Component
class SessionLimits {

    enum Kind {
        EXEC("exec"), TERMINAL("terminal"), LOG_STREAM("followed log stream");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final LimitSettings settings;
    private final Map<Long, Integer> perUser = new HashMap<>();
    private final Map<Long, Integer> perTeam = new HashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    SessionLimits(@org.springframework.beans.factory.annotation.Value("${wharf.limits.concurrent-per-user:8}") int perUser,
            @org.springframework.beans.factory.annotation.Value("${wharf.limits.concurrent-per-team:32}") int perTeam) {
        this(new LimitSettings(perUser, perTeam));
    }

    SessionLimits(LimitSettings settings) {
        this.settings = settings;
    }

    /** Takes a session for {@code caller} on a container of team {@code teamId}, or refuses (429). */
    synchronized Slot acquire(Caller caller, long teamId, String teamName, Kind kind) {
        check(caller, teamId, teamName, kind);
        perUser.merge(caller.id(), 1, Integer::sum);
        perTeam.merge(teamId, 1, Integer::sum);
        return new Slot(caller.id(), teamId);
    }

    /** Refuses (429) when {@link #acquire} would refuse now; takes nothing. */
    synchronized void check(Caller caller, long teamId, String teamName, Kind kind) {
        if (perUser.getOrDefault(caller.id(), 0) >= settings.concurrentPerUser()) {
            throw refusal(kind, "user \"" + caller.name() + "\"", "user", "wharf.limits.concurrent-per-user", settings.concurrentPerUser());
        }
        if (perTeam.getOrDefault(teamId, 0) >= settings.concurrentPerTeam()) {
            throw refusal(kind, "team \"" + teamName + "\"", "team", "wharf.limits.concurrent-per-team", settings.concurrentPerTeam());
        }
    }

    /** Sessions open now for a user (for tests and metrics). */
    synchronized int openByUser(long userId) {
        return perUser.getOrDefault(userId, 0);
    }

    private static WharfException refusal(Kind kind, String who, String scope, String setting, int limit) {
        return new WharfException(ErrorCategory.TOO_MANY_REQUESTS, "cannot open another " + kind.label + ": " + who + " already has "
                + limit + " execs, terminals or followed log streams open (" + setting + "); close one or wait until one ends",
                Map.of("scope", scope, "limit", limit), null);
    }

    private synchronized void release(long userId, long teamId) {
        perUser.computeIfPresent(userId, (id, count) -> count <= 1 ? null : count - 1);
        perTeam.computeIfPresent(teamId, (id, count) -> count <= 1 ? null : count - 1);
    }

    /** One open session; {@link #close} gives it back once. */
    final class Slot implements AutoCloseable {

        private final long userId;
        private final long teamId;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(long userId, long teamId) {
            this.userId = userId;
            this.teamId = teamId;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(userId, teamId);
            }
        }

        /** {@code terminal}, giving this slot back when it is closed. */
        TerminalSession heldBy(TerminalSession terminal) {
            return new TerminalSession() {
                @Override
                public InputStream output() {
                    return terminal.output();
                }

                @Override
                public OutputStream input() {
                    return terminal.input();
                }

                @Override
                public void resize(int cols, int rows) {
                    terminal.resize(cols, rows);
                }

                @Override
                public void close() {
                    try {
                        terminal.close();
                    } finally {
                        Slot.this.close();
                    }
                }
            };
        }
    }
}
