package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.TeamImage;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.project.ProjectManagement;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.quota.QuotaAdmission.QuotaView;
import dev.wharf.platform.quota.QuotaBar;
import dev.wharf.platform.team.TeamManagement.TeamAccess;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.volume.VolumeManagement;
import dev.wharf.platform.web.PageActions;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Dashboard pages of a team's containers: the live panel on the team page (quota bars and the
 * containers table, refreshed by htmx), the create form, a container's page, and the lifecycle
 * buttons. Every decision (roles, quota, validity) is the services'; this class only shapes views.
 */
@Controller
class ContainerPages {

    static final List<String> STATES = java.util.Arrays.stream(Container.State.values()).map(Container.State::value).toList();
    static final List<String> RESTART_POLICIES = java.util.Arrays.stream(RestartPolicy.Kind.values()).map(RestartPolicy.Kind::value)
            .toList();

    private final ContainerManagement containers;
    private final ContainerController api;
    private final TeamManagement teams;
    private final QuotaAdmission quotas;
    private final ProjectManagement projects;
    private final ImageCatalogue images;
    private final VolumeManagement volumes;

    ContainerPages(ContainerManagement containers, ContainerController api, TeamManagement teams, QuotaAdmission quotas,
            ProjectManagement projects, ImageCatalogue images, VolumeManagement volumes) {
        this.volumes = volumes;
        this.containers = containers;
        this.api = api;
        this.teams = teams;
        this.quotas = quotas;
        this.projects = projects;
        this.images = images;
    }

    /** Whether the caller may operate the team's containers (members, owners, admins); only for showing buttons. */
    private boolean canOperate(Caller caller, String team) {
        return teams.holds(caller, team, TeamRole.MEMBER);
    }

    /** The team page's containers panel: new-container link, filters, and the live part. */
    @GetMapping("/teams/{team}/workload")
    String workload(Caller caller, @PathVariable String team, Model model) {
        model.addAttribute("teamName", team);
        model.addAttribute("projects", projects.list(caller, team).stream().map(Project::getName).toList());
        model.addAttribute("states", STATES);
        live(caller, team, null, null, model);
        return "containers/panel :: panel";
    }

    /** Quota bars and the containers table; the team page asks for it every 3 seconds. */
    @GetMapping("/teams/{team}/workload/live")
    String live(Caller caller, @PathVariable String team, @RequestParam(required = false) String project,
            @RequestParam(required = false) String state, Model model) {
        model.addAttribute("teamName", team);
        model.addAttribute("canOperate", canOperate(caller, team));
        model.addAttribute("bars", QuotaBar.of(quotas.view(caller, team)));
        model.addAttribute("rows", containers.list(caller, team, blankToNull(project)).stream()
                .filter(c -> state == null || state.isBlank() || state.equals(c.getState().value()))
                .map(this::row).toList());
        model.addAttribute("filtered", !(project == null || project.isBlank()) || !(state == null || state.isBlank()));
        return "containers/panel :: live";
    }

    /** What the create form holds, as typed (so a refused form comes back filled in); {@code advanced} is its folded section. */
    record CreateForm(String name, String image, String command, String env, String cpus, String memory, String pids,
            String restartPolicy, String project, Boolean start, List<VolumeField> volumes, String network, List<PortField> ports,
            AdvancedForm advanced) {
    }

    /** One row of the form's ports, as typed; a row left blank is no port. */
    record PortField(String containerPort, String hostPort, String protocol, String hostIp) {
    }

    /** One row of the form's volumes: {@code name} is set when its box is ticked. */
    record VolumeField(String name, String path, Boolean readOnly) {
    }

    /** A team volume as the form offers it: ticked or not, where, and whether read-only. */
    record VolumeChoice(String volume, boolean mounted, String path, boolean readOnly) {
    }

    @GetMapping("/teams/{team}/containers/new")
    String newContainer(Caller caller, @PathVariable String team, @RequestParam(required = false) String project, Model model) {
        QuotaView quota = quotas.view(caller, team);
        QuotaAdmission.DefaultResources d = quota.defaults();
        CreateForm form = new CreateForm("", "", "", "", d.cpus() == null ? "" : QuotaBar.cpus(d.cpus()),
                d.memory() == null ? "" : QuotaBar.bytes(d.memory()), d.pids() == null ? "" : d.pids().toString(), "no", project == null ? "" : project, true,
                List.of(), "team", List.of(), AdvancedForm.EMPTY);
        return createForm(caller, team, form, Map.of(), model);
    }

    private String createForm(Caller caller, String team, CreateForm form, Map<String, String> errors, Model model) {
        TeamAccess access = teams.require(caller, team, TeamRole.VIEWER);
        model.addAttribute("team", access.team());
        model.addAttribute("canOperate", caller.admin() || (access.role() != null && access.role().includes(TeamRole.MEMBER)));
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("images", images.list(caller, team).stream().map(TeamImage::getReference).distinct().toList());
        model.addAttribute("projects", projects.list(caller, team).stream().map(Project::getName).toList());
        model.addAttribute("policies", RESTART_POLICIES);
        model.addAttribute("volumes", volumeChoices(caller, team, form));
        model.addAttribute("portRows", ContainerForms.portRows(form.ports()));
        AdvancedForm advanced = form.advanced() == null ? AdvancedForm.EMPTY : form.advanced();
        model.addAttribute("advanced", advanced);
        model.addAttribute("tmpfsRows", ContainerForms.tmpfsRows(advanced.tmpfs()));
        // folded unless something in it was typed or refused, so a refused form shows what was typed and why
        model.addAttribute("advancedOpen", advanced.filled() || errors.keySet().stream().anyMatch(AdvancedForm::holds));
        model.addAttribute("left", QuotaBar.left(quotas.view(caller, team)));
        return "containers/new";
    }

    /** One row per team volume, filled in from what was typed (a fresh form suggests /data/NAME, read-write). */
    private List<VolumeChoice> volumeChoices(Caller caller, String team, CreateForm form) {
        Map<String, VolumeField> typed = new java.util.HashMap<>();
        if (form.volumes() != null) {
            form.volumes().stream().filter(v -> v != null && v.name() != null).forEach(v -> typed.put(v.name(), v));
        }
        return volumes.list(caller, team).stream().map(v -> {
            VolumeField f = typed.get(v.name());
            return f == null ? new VolumeChoice(v.name(), false, "/data/" + v.name(), false)
                    : new VolumeChoice(v.name(), true, f.path() == null ? "" : f.path(), Boolean.TRUE.equals(f.readOnly()));
        }).toList();
    }

    /** The pull a container being created waits for, as a progress bar; the create form asks for it while it waits. */
    @GetMapping("/teams/{team}/containers/{name}/pull")
    String pull(Caller caller, @PathVariable String team, @PathVariable String name, Model model) {
        model.addAttribute("pull", containers.pullOf(containers.get(caller, team, name)).orElse(null));
        return "containers/container :: pull";
    }

    @PostMapping("/teams/{team}/containers")
    String create(Caller caller, @PathVariable String team, @ModelAttribute CreateForm form, HttpServletRequest request,
            HttpServletResponse response, RedirectAttributes flash, Model model) {
        try {
            ContainerRequest body = ContainerForms.request(form);
            Container created = containers.create(caller, team, body);
            flash.addFlashAttribute("notice", "Container " + created.getName() + " created.");
            return "redirect:/teams/" + team + "/containers/" + created.getName();
        } catch (WharfException e) {
            PageActions.refused(request, response, e);
            Map<String, String> errors = ContainerForms.fieldErrors(e);
            if (errors.isEmpty()) {
                model.addAttribute("error", e.getMessage());
            }
            return createForm(caller, team, form, errors, model);
        } catch (dev.wharf.runtime.api.RuntimeFailure e) {
            PageActions.refused(request, response, e);
            // with ports asked for, the node's ALREADY_EXISTS (409) is a taken host port (ids are random, names checked before):
            // its sentence goes to the Ports fieldset
            if (e.kind() == dev.wharf.runtime.api.RuntimeFailure.Kind.ALREADY_EXISTS && !ContainerForms.filledPorts(form.ports()).isEmpty()) {
                return createForm(caller, team, form, Map.of("ports", e.getMessage()), model);
            }
            model.addAttribute("error", e.getMessage());
            return createForm(caller, team, form, Map.of(), model);
        }
    }

    @GetMapping("/teams/{team}/containers/{name}")
    String container(Caller caller, @PathVariable String team, @PathVariable String name, HttpServletRequest request, Model model) {
        Container c = containers.get(caller, team, name);
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        model.addAttribute("teamName", team);
        model.addAttribute("pageAssets", "container");
        facts(caller, team, c, request, model);
        return "containers/container";
    }

    /** A container's network as its page shows it: the names teammates reach it by, its ports (with links) and the team's outbound setting. */
    record NetworkFacts(String mode, String ipAddress, List<String> names, List<ContainerRow.PublishedPort> ports, boolean outbound) {
    }

    /**
     * What the container page and its refreshed summary show: the view, the row, the health probes (newest first),
     * the network and whether to show buttons.
     */
    private void facts(Caller caller, String team, Container c, HttpServletRequest request, Model model) {
        ContainerController.ContainerView view = api.view(c);
        model.addAttribute("c", view);
        model.addAttribute("row", ContainerRow.of(c, view.project(), view.ports(), containers.now()));
        model.addAttribute("probes", ProbeRow.of(view.health()));
        model.addAttribute("canOperate", canOperate(caller, team));
        boolean onTeamNetwork = "team".equals(view.network());
        List<String> names = !onTeamNetwork ? List.of() : view.project() == null ? List.of(view.name()) : List.of(view.name(), view.name() + "." + view.project());
        model.addAttribute("net", new NetworkFacts(view.network(), view.ipAddress(), names,
                view.ports().stream().map(p -> ContainerRow.PublishedPort.of(p, request.getServerName())).toList(),
                quotas.view(caller, team).outbound()));
    }

    private ContainerRow row(Container c) {
        ContainerController.ContainerView view = api.view(c);
        return ContainerRow.of(c, view.project(), view.ports(), containers.now());
    }

    /** The state part of a container's page, refreshed by htmx. */
    @GetMapping("/teams/{team}/containers/{name}/summary")
    String summary(Caller caller, @PathVariable String team, @PathVariable String name, HttpServletRequest request, Model model) {
        Container c = containers.get(caller, team, name);
        model.addAttribute("teamName", team);
        facts(caller, team, c, request, model);
        return "containers/container :: summary";
    }

    @PostMapping("/teams/{team}/containers/{name}/start")
    String start(Caller caller, @PathVariable String team, @PathVariable String name, @RequestParam(required = false) String back,
            HttpServletRequest request, RedirectAttributes flash) {
        return act(request, flash, team, name, back, () -> {
            containers.start(caller, team, name);
            return "Container " + name + " started.";
        });
    }

    @PostMapping("/teams/{team}/containers/{name}/stop")
    String stop(Caller caller, @PathVariable String team, @PathVariable String name, @RequestParam(required = false) String back,
            @RequestParam(required = false) Integer timeout, HttpServletRequest request, RedirectAttributes flash) {
        return act(request, flash, team, name, back, () -> {
            containers.stop(caller, team, name, ContainerController.stopTimeout(timeout));
            return "Container " + name + " stopped.";
        });
    }

    @PostMapping("/teams/{team}/containers/{name}/restart")
    String restart(Caller caller, @PathVariable String team, @PathVariable String name, @RequestParam(required = false) String back,
            HttpServletRequest request, RedirectAttributes flash) {
        return act(request, flash, team, name, back, () -> {
            containers.restart(caller, team, name, null);
            return "Container " + name + " restarted.";
        });
    }

    @PostMapping("/teams/{team}/containers/{name}/kill")
    String kill(Caller caller, @PathVariable String team, @PathVariable String name, @RequestParam(required = false) String back,
            HttpServletRequest request, RedirectAttributes flash) {
        return act(request, flash, team, name, back, () -> {
            containers.kill(caller, team, name, "KILL");
            return "Container " + name + " killed.";
        });
    }

    @PostMapping("/teams/{team}/containers/{name}/delete")
    String delete(Caller caller, @PathVariable String team, @PathVariable String name, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team, "/teams/" + team + "/containers/" + name, () -> {
            containers.delete(caller, team, name, true);
            return "Container " + name + " deleted.";
        });
    }

    /** Runs a lifecycle action and goes back to the container's page, or to the team page when the button was there. */
    private static String act(HttpServletRequest request, RedirectAttributes flash, String team, String name, String back,
            java.util.function.Supplier<String> action) {
        String to = "team".equals(back) ? "/teams/" + team : "/teams/" + team + "/containers/" + name;
        return PageActions.run(request, flash, to, action);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
