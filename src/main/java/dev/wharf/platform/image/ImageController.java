package dev.wharf.platform.image;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.image.ImageCatalogue.CredentialView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams/{team}")
@Tag(name = "Images", description = "A team's images: pull from a registry, import an archive, delete; registry credentials")
class ImageController {

    private final ImageCatalogue catalogue;
    private final ImageLabels labels;
    private final PullTracker pulls;
    private final dev.wharf.platform.team.TeamManagement teams;

    ImageController(ImageCatalogue catalogue, ImageLabels labels, PullTracker pulls, dev.wharf.platform.team.TeamManagement teams) {
        this.catalogue = catalogue;
        this.labels = labels;
        this.pulls = pulls;
        this.teams = teams;
    }

    /** @param labels the image's labels (from its config); null while no node that holds the image is up */
    record ImageView(long id, String reference, String digest, long sizeBytes, String addedBy, Instant addedAt,
            Map<String, String> labels) {
    }

    private ImageView view(TeamImage image) {
        return new ImageView(image.getId(), image.getReference(), image.getDigest(), image.getSizeBytes(), image.getAddedBy(),
                image.getAddedAt(), labels.of(image));
    }

    record PullRequest(@NotBlank String reference) {
    }

    record CredentialRequest(@NotBlank String username, @NotBlank String password) {
    }

    @GetMapping("/images")
    @Operation(summary = "The team's images")
    List<ImageView> list(Caller caller, @PathVariable String team) {
        return catalogue.list(caller, team).stream().map(this::view).toList();
    }

    @GetMapping("/images/{id}")
    @Operation(summary = "One of the team's images")
    ImageView get(Caller caller, @PathVariable String team, @PathVariable long id) {
        return view(catalogue.get(caller, team, id));
    }

    @PostMapping("/images/pull")
    @Operation(summary = "Pull an image; answers with its digest. With wait=false answers 202 at once and the pull's progress "
            + "is at the Location given")
    ResponseEntity<?> pull(Caller caller, @PathVariable String team, @Valid @RequestBody PullRequest body,
            @Parameter(description = "wait for the pull to finish (default) or answer 202 at once")
            @RequestParam(defaultValue = "true") boolean wait) {
        PullTracker.Pull pull = catalogue.startPull(caller, team, body.reference());
        URI progress = URI.create("/api/v1/teams/" + team + "/images/pulls/" + pull.id());
        if (!wait) {
            catalogue.pullInBackground(caller, pull);
            return ResponseEntity.accepted().location(progress).body(pull.view());
        }
        TeamImage image = catalogue.pull(caller, pull);
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/images/" + image.getId())).body(view(image));
    }

    @GetMapping("/images/pulls")
    @Operation(summary = "The team's pulls in progress and of the last ten minutes, with bytes per layer")
    List<PullTracker.PullView> pulls(Caller caller, @PathVariable String team) {
        return catalogue.pulls(caller, team);
    }

    @GetMapping("/images/pulls/{pull}")
    @Operation(summary = "One pull's progress")
    PullTracker.PullView pullProgress(Caller caller, @PathVariable String team, @PathVariable String pull) {
        long teamId = teams.require(caller, team, dev.wharf.platform.team.TeamRole.VIEWER).team().getId();
        return pulls.get(teamId, pull).orElseThrow(() -> dev.wharf.platform.web.WharfException.notFound("no pull " + pull));
    }

    @PostMapping(path = "/images/import", consumes = {"application/x-tar", "application/octet-stream", "application/gzip"})
    @Operation(summary = "Import a docker save or OCI archive (the request body is the tar, optionally gzipped)")
    ResponseEntity<ImageView> importArchive(Caller caller, @PathVariable String team, HttpServletRequest request) throws IOException {
        TeamImage image = catalogue.importArchive(caller, team, request.getInputStream());
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/images/" + image.getId())).body(view(image));
    }

    @DeleteMapping("/images/{id}")
    @Operation(summary = "Remove an image from the team (409 while a container uses it)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable String team, @PathVariable long id) {
        catalogue.delete(caller, team, id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/registries")
    @Operation(summary = "Registries the team has credentials for (passwords are never returned)")
    List<CredentialView> registries(Caller caller, @PathVariable String team) {
        return catalogue.credentials(caller, team);
    }

    @PutMapping("/registries/{registry}")
    @Operation(summary = "Set the team's login for a registry (team owners); the password is stored encrypted")
    CredentialView putRegistry(Caller caller, @PathVariable String team, @PathVariable String registry,
            @Valid @RequestBody CredentialRequest body) {
        return catalogue.putCredentials(caller, team, registry, body.username(), body.password());
    }

    @DeleteMapping("/registries/{registry}")
    @Operation(summary = "Forget the team's login for a registry (team owners)")
    ResponseEntity<Void> deleteRegistry(Caller caller, @PathVariable String team, @PathVariable String registry) {
        catalogue.deleteCredentials(caller, team, registry);
        return ResponseEntity.noContent().build();
    }
}
