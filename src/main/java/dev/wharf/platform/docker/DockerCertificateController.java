package dev.wharf.platform.docker;

import dev.wharf.platform.docker.DockerCertificates.CertificateView;
import dev.wharf.platform.docker.DockerCertificates.Issued;
import dev.wharf.platform.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams/{team}/docker-certificates")
@Tag(name = "Docker certificates", description = "Client certificates for the Docker Engine API; the key is shown once")
class DockerCertificateController {

    private final DockerCertificates certificates;

    DockerCertificateController(DockerCertificates certificates) {
        this.certificates = certificates;
    }

    record NewCertificate(String name, Integer expiresInDays) {
    }

    @PostMapping
    @Operation(summary = "Make a Docker client certificate acting as you in this team; the answer holds its key, never shown again")
    ResponseEntity<Issued> create(Caller caller, @PathVariable String team, @RequestBody NewCertificate body) {
        Issued issued = certificates.create(caller, team, body.name(), body.expiresInDays());
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/docker-certificates/" + issued.id())).body(issued);
    }

    @GetMapping
    @Operation(summary = "List your Docker certificates in this team (owners: everyone's), without keys")
    List<CertificateView> list(Caller caller, @PathVariable String team) {
        return certificates.list(caller, team);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke a Docker certificate: the next request made with it is refused")
    ResponseEntity<Void> revoke(Caller caller, @PathVariable String team, @PathVariable String id) {
        certificates.revoke(caller, team, id);
        return ResponseEntity.noContent().build();
    }
}
