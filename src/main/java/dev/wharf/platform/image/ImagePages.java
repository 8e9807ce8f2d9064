package dev.wharf.platform.image;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A team's images page: the catalogue, pulling by reference with its progress, and deleting. Members act; viewers read. */
@Controller
class ImagePages {

    private final ImageCatalogue catalogue;
    private final ImageLabels labels;
    private final TeamManagement teams;

    ImagePages(ImageCatalogue catalogue, ImageLabels labels, TeamManagement teams) {
        this.catalogue = catalogue;
        this.labels = labels;
        this.teams = teams;
    }

    @GetMapping("/teams/{team}/images")
    String images(Caller caller, @PathVariable String team, Model model) {
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        live(caller, team, model);
        return "images";
    }

    /** The pulls and the images table; asked for again every second while a pull runs. */
    @GetMapping("/teams/{team}/images/live")
    String live(Caller caller, @PathVariable String team, Model model) {
        List<PullTracker.PullView> pulls = catalogue.pulls(caller, team);
        model.addAttribute("teamName", team);
        model.addAttribute("canOperate", teams.holds(caller, team, TeamRole.MEMBER));
        List<TeamImage> images = catalogue.list(caller, team);
        model.addAttribute("images", images);
        Map<Long, Map<String, String>> imageLabels = new HashMap<>();
        images.forEach(image -> imageLabels.put(image.getId(), labels.of(image)));
        model.addAttribute("labels", imageLabels);
        model.addAttribute("pulls", pulls);
        model.addAttribute("pulling", pulls.stream().anyMatch(p -> p.state().equals("pulling")));
        return "images :: live";
    }

    /** Starts a pull and comes back to the page at once; the page shows it moving. */
    @PostMapping("/teams/{team}/images/pull")
    String pull(Caller caller, @PathVariable String team, @RequestParam(defaultValue = "") String reference,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/images", () -> {
            PullTracker.Pull pull = catalogue.startPull(caller, team, reference);
            catalogue.pullInBackground(caller, pull);
            return "Pulling " + pull.reference + ".";
        });
    }

    @PostMapping("/teams/{team}/images/{id}/delete")
    String delete(Caller caller, @PathVariable String team, @PathVariable long id, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/images", () -> {
            String reference = catalogue.get(caller, team, id).getReference();
            catalogue.delete(caller, team, id);
            return "Image " + reference + " deleted.";
        });
    }
}
