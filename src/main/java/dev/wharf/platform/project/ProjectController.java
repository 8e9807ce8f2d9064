package dev.wharf.platform.project;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Names;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams/{team}/projects")
@Tag(name = "Projects", description = "Groups of a team's containers")
class ProjectController {

    private final ProjectManagement projects;

    ProjectController(ProjectManagement projects) {
        this.projects = projects;
    }

    record ProjectView(String name, String createdBy, Instant createdAt, Map<String, String> labels) {
        static ProjectView of(Project p) {
            return new ProjectView(p.getName(), p.getCreatedBy(), p.getCreatedAt(), p.getLabels());
        }
    }

    /** labels: optional, set here once (see {@link Labels}). */
    record NewProject(@NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_RULE) String name,
            @Schema(description = Labels.RULE) Map<String, String> labels) {
    }

    @GetMapping
    @Operation(summary = "The team's projects; ?label= keeps those with that label")
    @Parameter(name = "label", in = ParameterIn.QUERY, description = Labels.FILTER_DESCRIPTION,
            array = @ArraySchema(schema = @Schema(type = "string")))
    List<ProjectView> list(Caller caller, @PathVariable String team, HttpServletRequest request) {
        List<String> filters = Labels.filters(request);
        return projects.list(caller, team).stream().filter(p -> Labels.match(p.getLabels(), filters)).map(ProjectView::of).toList();
    }

    @PostMapping
    @Operation(summary = "Create a project (members)")
    ResponseEntity<ProjectView> create(Caller caller, @PathVariable String team, @Valid @RequestBody NewProject body) {
        Project p = projects.create(caller, team, body.name(), body.labels());
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/projects/" + p.getName())).body(ProjectView.of(p));
    }

    @GetMapping("/{project}")
    @Operation(summary = "One project")
    ProjectView get(Caller caller, @PathVariable String team, @PathVariable String project) {
        return ProjectView.of(projects.get(caller, team, project));
    }

    @DeleteMapping("/{project}")
    @Operation(summary = "Delete a project; refused (409) while it has containers unless force=true, which kills and removes them at once")
    ResponseEntity<Void> delete(Caller caller, @PathVariable String team, @PathVariable String project,
            @RequestParam(defaultValue = "false") boolean force) {
        projects.delete(caller, team, project, force);
        return ResponseEntity.noContent().build();
    }
}
