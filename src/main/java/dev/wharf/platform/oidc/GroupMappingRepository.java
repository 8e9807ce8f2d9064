package dev.wharf.platform.oidc;

import java.util.Collection;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface GroupMappingRepository extends JpaRepository<GroupMapping, Long> {

    List<GroupMapping> findAllByOrderByGroupAscIdAsc();

    List<GroupMapping> findByGroupIn(Collection<String> groups);

    boolean existsByGroupAndAdminTrue(String group);

    boolean existsByGroupAndTeamId(String group, Long teamId);
}
