package dev.wharf.platform.volume;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.quota.QuotaBar;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.volume.VolumeManagement.VolumeView;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.PageActions;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A team's volumes page: each volume's size, the space its files use now (as a bar), when it was made and
 * which containers mount it; creating one (its size counts against the storage quota) and deleting one
 * (refused while mounted). The rules are {@link VolumeManagement}'s; the containers' names come from the
 * workload ({@link VolumeMounters}). Members act, viewers read.
 */
@Controller
class VolumePages {

    private final VolumeManagement volumes;
    private final VolumeMounters containers;
    private final TeamManagement teams;

    VolumePages(VolumeManagement volumes, VolumeMounters containers, TeamManagement teams) {
        this.volumes = volumes;
        this.containers = containers;
        this.teams = teams;
    }

    /**
     * A volume as a row: sizes as a person reads them, how full in percent (-1 when the node could not measure it),
     * the names of the containers that mount it and its labels.
     */
    record VolumeRow(String name, String size, String used, int percent, boolean overSize, List<String> mountedBy, Instant createdAt,
            Map<String, String> labels) {

        static VolumeRow of(VolumeView v, Map<String, String> containerNames) {
            int percent = v.used() == null ? -1 : (int) Math.round(Math.min(1.0, v.size() <= 0 ? 1.0 : (double) v.used() / v.size()) * 100);
            return new VolumeRow(v.name(), QuotaBar.bytes(v.size()), v.used() == null ? "not measured" : QuotaBar.bytes(v.used()), percent,
                    v.overSize(), v.usedBy().stream().map(id -> containerNames.getOrDefault(id, id)).toList(), v.createdAt(),
                    v.labels());
        }
    }

    @GetMapping("/teams/{team}/volumes")
    String list(Caller caller, @PathVariable String team, Model model) {
        return list(caller, team, "", "", Map.of(), model);
    }

    private String list(Caller caller, String team, String name, String size, Map<String, String> errors, Model model) {
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        model.addAttribute("canOperate", teams.holds(caller, team, TeamRole.MEMBER));
        Map<String, String> names = containers.containerNames(caller, team);
        model.addAttribute("volumes", volumes.list(caller, team).stream().map(v -> VolumeRow.of(v, names)).toList());
        model.addAttribute("name", name);
        model.addAttribute("size", size);
        model.addAttribute("errors", errors);
        return "volumes";
    }

    /** Creates a volume; a refusal comes back in the form: at its field, or (the storage quota, a role) above the fields. */
    @PostMapping("/teams/{team}/volumes")
    String create(Caller caller, @PathVariable String team, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String size, HttpServletRequest request, HttpServletResponse response,
            RedirectAttributes flash, Model model) {
        String typedName = name.strip();
        String typedSize = size.strip();
        try {
            VolumeView created = volumes.create(caller, team, typedName, Quantities.bytes("size", typedSize), Map.of());
            flash.addFlashAttribute("notice", "Volume " + created.name() + " created.");
            return "redirect:/teams/" + team + "/volumes";
        } catch (WharfException e) {
            PageActions.refused(request, response, e);
            Map<String, String> errors = e.category() == ErrorCategory.ALREADY_EXISTS ? Map.of("name", e.getMessage())
                    : PageActions.fieldErrors(e);
            if (errors.isEmpty()) {
                model.addAttribute("formError", e.getMessage());
            }
            return list(caller, team, typedName, typedSize, errors, model);
        } catch (dev.wharf.runtime.api.RuntimeFailure e) {
            PageActions.refused(request, response, e);
            model.addAttribute("formError", e.getMessage());
            return list(caller, team, typedName, typedSize, Map.of(), model);
        }
    }

    /** Deletes a volume and its files; refused with the API's sentence while a container mounts it. */
    @PostMapping("/teams/{team}/volumes/{volume}/delete")
    String delete(Caller caller, @PathVariable String team, @PathVariable String volume, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/volumes", () -> {
            volumes.delete(caller, team, volume);
            return "Volume " + volume + " deleted.";
        });
    }
}
