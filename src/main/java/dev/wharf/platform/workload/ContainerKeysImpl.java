package dev.wharf.platform.workload;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/** {@link ContainerKeys} through the JDBC connection of the surrounding transaction (a Spring Data repository fragment). */
class ContainerKeysImpl implements ContainerKeys {

    private static final String KEYS = "select id, version, writable_bytes, project_id from containers where team_id = ?";
    private static final RowMapper<Container.Key> KEY = (rs, row) -> new Container.Key(rs.getString(1), rs.getLong(2), rs.getLong(3),
            rs.getObject(4, Long.class));

    private final JdbcTemplate jdbc;

    ContainerKeysImpl(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Container.Key> keysByTeam(long teamId) {
        return jdbc.query(KEYS + " order by name", KEY, teamId);
    }

    @Override
    public List<Container.Key> keysByTeamAndProject(long teamId, long projectId) {
        return jdbc.query(KEYS + " and project_id = ? order by name", KEY, teamId, projectId);
    }
}
