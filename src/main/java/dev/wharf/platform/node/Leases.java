package dev.wharf.platform.node;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Periodic work that must run on one server replica at a time (reconciling, restarts, marking
 * nodes down) holds a lease row in the shared database. A replica keeps its lease by renewing it
 * before it expires; when it dies, another takes the lease over once it has expired.
 */
@Component
public class Leases {

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String holder = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    Leases(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Takes or renews the lease {@code name} for {@code ttl}; whether this replica holds it now. */
    public boolean hold(String name, Duration ttl) {
        Instant now = clock.instant();
        Object expires = NodeStore.time(now.plus(ttl));
        if (jdbc.update("update leases set holder = ?, expires_at = ? where name = ? and (holder = ? or expires_at < ?)",
                holder, expires, name, holder, NodeStore.time(now)) == 1) {
            return true;
        }
        try {
            return jdbc.update("insert into leases (name, holder, expires_at) values (?, ?, ?)", name, holder, expires) == 1;
        } catch (DataIntegrityViolationException held) {
            return false;
        }
    }

    /** Lets go of a lease this replica holds (at shutdown), so another replica need not wait for it to expire. */
    public void release(String name) {
        jdbc.update("delete from leases where name = ? and holder = ?", name, holder);
    }
}
