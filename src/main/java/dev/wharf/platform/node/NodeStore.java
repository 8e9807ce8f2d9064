package dev.wharf.platform.node;

import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code nodes} and {@code node_join_tokens} tables (plain SQL: every statement is one short write or read). */
@Repository
class NodeStore {

    /** A joined node as stored; {@code sealedCredential} is encrypted with the server's secret key. */
    record Row(String name, URI url, String sealedCredential, String state, String problems, int cpus, long memoryBytes,
            String cgroupVersion, Instant lastSeen, String joinedBy, Instant joinedAt) {
    }

    private final JdbcTemplate jdbc;

    NodeStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Row> all() {
        return jdbc.query("select * from nodes order by name", NodeStore::row);
    }

    Optional<Row> find(String name) {
        return jdbc.query("select * from nodes where name = ?", NodeStore::row, name).stream().findFirst();
    }

    void insert(String name, URI url, String sealedCredential, String joinedBy, Instant now) {
        jdbc.update("insert into nodes (name, url, credential, state, joined_by, joined_at) values (?, ?, ?, ?, ?, ?)",
                name, url.toString(), sealedCredential, NodeState.JOINING.value(), joinedBy, time(now));
    }

    /** What a heartbeat saw; {@code lastSeen} stays as it was when the node did not answer ({@code null}). */
    void heartbeat(String name, String state, String problems, int cpus, long memoryBytes, String cgroupVersion, Instant lastSeen) {
        if (lastSeen == null) {
            jdbc.update("update nodes set state = ?, problems = ? where name = ?", state, problems, name);
        } else {
            jdbc.update("update nodes set state = ?, problems = ?, cpus = ?, memory_bytes = ?, cgroup_version = ?, last_seen = ?"
                    + " where name = ?", state, problems, cpus, memoryBytes, cgroupVersion, time(lastSeen), name);
        }
    }

    boolean delete(String name) {
        return jdbc.update("delete from nodes where name = ?", name) == 1;
    }

    void insertToken(String hash, int uses, Instant expiresAt, String createdBy, Instant now) {
        jdbc.update("insert into node_join_tokens (token_hash, uses_left, expires_at, created_by, created_at) values (?, ?, ?, ?, ?)",
                hash, uses, time(expiresAt), createdBy, time(now));
    }

    /**
     * Uses the token once for {@code node}; false when it is unknown, used up or expired (one
     * statement, so two replicas never let more nodes join than it allows).
     */
    boolean useToken(String hash, String node, Instant now) {
        return jdbc.update("update node_join_tokens set uses_left = uses_left - 1, used_at = ?, used_by_node = ? where token_hash = ?"
                + " and uses_left > 0 and expires_at > ?", time(now), node, hash, time(now)) == 1;
    }

    /** Gives a use back when the join it was used for failed afterwards (the name was taken). */
    void releaseToken(String hash) {
        jdbc.update("update node_join_tokens set uses_left = uses_left + 1 where token_hash = ?", hash);
    }

    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Row row(ResultSet rs, int index) throws SQLException {
        OffsetDateTime lastSeen = rs.getObject("last_seen", OffsetDateTime.class);
        return new Row(rs.getString("name"), URI.create(rs.getString("url")), rs.getString("credential"), rs.getString("state"),
                rs.getString("problems"), rs.getInt("cpus"), rs.getLong("memory_bytes"), rs.getString("cgroup_version"),
                lastSeen == null ? null : lastSeen.toInstant(), rs.getString("joined_by"),
                rs.getObject("joined_at", OffsetDateTime.class).toInstant());
    }
}
