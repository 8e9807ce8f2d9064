package dev.wharf.platform.volume;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.volume.VolumeManagement.VolumeView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams/{team}/volumes")
@Tag(name = "Volumes", description = "A team's persistent volumes; their sizes count against the storage quota")
class VolumeController {

    private final VolumeManagement volumes;

    VolumeController(VolumeManagement volumes) {
        this.volumes = volumes;
    }

    /** size: bytes or "1Gi"; labels: optional, set here once (see {@link Labels}). */
    record NewVolume(@NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_RULE) String name, @NotNull String size,
            @Schema(description = Labels.RULE) Map<String, String> labels) {
    }

    @GetMapping
    @Operation(summary = "The team's volumes with their size and the space used now; ?label= keeps those with that label")
    @Parameter(name = "label", in = ParameterIn.QUERY, description = Labels.FILTER_DESCRIPTION,
            array = @ArraySchema(schema = @Schema(type = "string")))
    List<VolumeView> list(Caller caller, @PathVariable String team, HttpServletRequest request) {
        List<String> filters = Labels.filters(request);
        return volumes.list(caller, team).stream().filter(v -> Labels.match(v.labels(), filters)).toList();
    }

    @PostMapping
    @Operation(summary = "Create a volume (members); 403 quota-exceeded when the storage quota would be passed")
    ResponseEntity<VolumeView> create(Caller caller, @PathVariable String team, @Valid @RequestBody NewVolume body) {
        VolumeView created = volumes.create(caller, team, body.name(), Quantities.bytes("size", body.size()), body.labels());
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/volumes/" + created.name())).body(created);
    }

    @GetMapping("/{volume}")
    @Operation(summary = "One volume")
    VolumeView get(Caller caller, @PathVariable String team, @PathVariable String volume) {
        return volumes.get(caller, team, volume);
    }

    @DeleteMapping("/{volume}")
    @Operation(summary = "Delete a volume and its files (409 while a container mounts it)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable String team, @PathVariable String volume) {
        volumes.delete(caller, team, volume);
        return ResponseEntity.noContent().build();
    }
}
