package dev.wharf.platform.image;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface RegistryCredentialRepository extends JpaRepository<RegistryCredential, Long> {

    List<RegistryCredential> findByTeamIdOrderByRegistryAsc(Long teamId);

    Optional<RegistryCredential> findByTeamIdAndRegistry(Long teamId, String registry);
}
