package dev.wharf.platform.team;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface TeamRepository extends JpaRepository<Team, Long> {

    Optional<Team> findByName(String name);

    /** The team with the user's role in it ({@code null}: not a member), in one query: every team request asks. */
    @Query("select new dev.wharf.platform.team.TeamRepository$TeamAndRole(t, m.role) from Team t"
            + " left join Membership m on m.team = t and m.user.id = :userId where t.name = :name")
    Optional<TeamAndRole> findWithRoleOf(String name, Long userId);

    record TeamAndRole(Team team, TeamRole role) {
    }

    List<Team> findAllByOrderByNameAsc();
}
