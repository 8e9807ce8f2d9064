package dev.wharf.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/** Docker's ids and names find a container of the caller's team, and never one of another team. */
@SpringBootTest
@ActiveProfiles("test")
class DockerIdsTests {

    @Autowired
    DockerIds ids;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aDockerIdIs64HexDigitsThatStartWithWharfsIdAndStayTheSame() {
        String wharfId = "0123456789abcdef";
        String dockerId = DockerIds.dockerId(wharfId);
        assertThat(dockerId).hasSize(64).matches("[0-9a-f]{64}").startsWith(wharfId).isEqualTo(DockerIds.dockerId(wharfId));
        assertThat(DockerIds.shortId(wharfId)).isEqualTo("0123456789ab");
        assertThat(DockerIds.dockerId("0123456789abcdee")).isNotEqualTo(dockerId).startsWith("0123456789abcdee");
        assertThat(DockerIds.dockerId(dockerId)).isEqualTo(dockerId);
    }

    @Test
    void containersAreFoundByIdNameAndUniquePrefixInTheCallersTeamOnly() {
        long mine = team("ids-a-" + UUID.randomUUID().toString().substring(0, 6));
        long theirs = team("ids-b-" + UUID.randomUUID().toString().substring(0, 6));
        container("aaaa111100000001", mine, "web");
        container("aaaa222200000002", mine, "db");
        container("bbbb333300000003", theirs, "secret");
        container("aaaa111199999999", theirs, "lookalike");
        DockerCaller caller = new DockerCaller(new Caller(1, "someone", false, null), mine, "ids-a", TeamRole.VIEWER, "cert");

        assertThat(ids.container(caller, "web").wharfId()).isEqualTo("aaaa111100000001");
        assertThat(ids.container(caller, "/db").wharfId()).isEqualTo("aaaa222200000002");
        assertThat(ids.container(caller, DockerIds.dockerId("aaaa222200000002")).name()).isEqualTo("db");
        assertThat(ids.container(caller, "aaaa222200000002").name()).isEqualTo("db");
        assertThat(ids.container(caller, "aaaa1").name()).isEqualTo("web"); // the other team's aaaa1… does not count
        assertThat(ids.container(caller, "web").dockerId()).isEqualTo(DockerIds.dockerId("aaaa111100000001"));

        assertThatThrownBy(() -> ids.container(caller, "aaaa")).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_ARGUMENT));
        for (String other : new String[] {"secret", "bbbb3", "bbbb333300000003", DockerIds.dockerId("bbbb333300000003"), "lookalike",
                "", "%", "../web"}) {
            assertThatThrownBy(() -> ids.container(caller, other)).as(other).isInstanceOfSatisfying(WharfException.class, e -> {
                assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
                assertThat(e.getMessage()).isEqualTo("No such container: " + other);
            });
        }
    }

    private long team(String name) {
        jdbc.update("insert into teams (name, created_at) values (?, ?)", name, Timestamp.from(Instant.now()));
        return jdbc.queryForObject("select id from teams where name = ?", Long.class, name);
    }

    private void container(String id, long team, String name) {
        jdbc.update("insert into containers (id, team_id, name, image, spec, restart_policy, desired_state, state, oom_killed,"
                + " restart_count, created_by, created_at) values (?, ?, ?, 'busybox', '{}', 'no', 'stopped', 'created', false, 0, 'test', ?)",
                id, team, name, Timestamp.from(Instant.now()));
    }
}
