package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.PullTracker;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.project.ProjectManagement;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.volume.VolumeManagement;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.VolumeMount;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Creating a container, all or nothing: admit (access, request, quota, name, placement and the row,
 * in one transaction), pull the image when the node lacks it, create (and by default start) it on
 * the node; when a step after admission fails, compensate: remove what the node made and delete the
 * row, which gives the quota back.
 */
@Component
class ContainerCreation {

    private static final Logger log = LoggerFactory.getLogger(ContainerCreation.class);

    private final ContainerRepository containers;
    private final ContainerRows rows;
    private final ContainerRequestValidation requests;
    private final TeamManagement teams;
    private final ProjectManagement projects;
    private final QuotaAdmission quotas;
    private final ImageCatalogue images;
    private final NodeRegistry nodes;
    private final VolumeManagement volumes;
    private final TransactionTemplate tx;
    private final SecureRandom random = new SecureRandom();
    /** pulls that containers are waiting for, by container id, so their progress shows on the container */
    private final Map<String, PullTracker.Pull> pulling = new ConcurrentHashMap<>();

    ContainerCreation(ContainerRepository containers, ContainerRows rows, ContainerRequestValidation requests, TeamManagement teams,
            ProjectManagement projects, QuotaAdmission quotas, ImageCatalogue images, NodeRegistry nodes, VolumeManagement volumes,
            TransactionTemplate tx) {
        this.containers = containers;
        this.rows = rows;
        this.requests = requests;
        this.teams = teams;
        this.projects = projects;
        this.quotas = quotas;
        this.images = images;
        this.nodes = nodes;
        this.volumes = volumes;
        this.tx = tx;
    }

    /**
     * The admitted row with what was read to admit it, the team's kernel limits as the quota said, the node
     * chosen and the image's digest when the node has it ({@code null}: resolve, maybe pull), all in one transaction.
     */
    private record Admitted(Container container, Team team, Project project, NetworkSpec network, TeamLimits limits, String node,
            String digest) {
    }

    /**
     * Creates (and by default starts) a container. The access check, validation, admission, placement,
     * the row and the look-up of a cached image are one transaction;
     * if anything after it fails (pull, runtime create or start) the row is deleted, which
     * releases the quota, and whatever the node made is removed.
     */
    Container create(Caller caller, String teamName, ContainerRequest request) {
        String id = randomId();
        boolean start = request.start() == null || request.start();
        Admitted admitted = admit(id, caller, teamName, request, start);
        Team team = admitted.team();
        boolean created = false;
        RuntimeService node = null;
        String digest = admitted.digest();
        try {
            node = nodes.runtime(admitted.node());
            if (digest == null) {
                digest = images.resolveForContainer(caller, team, request.image(), node, pull -> pulling.put(id, pull));
            }
            pulling.remove(id);
            ImageInfo image = node.image(team.getId(), digest);
            node.applyTeamLimits(admitted.limits());
            node.create(ContainerRequestValidation.spec(admitted.container(), team, image, digest, request,
                    withProjectAlias(admitted.network(), request.name(), admitted.project())));
            created = true;
            if (start) {
                rows.observing(id);
                node.start(id);
            }
            String placedDigest = digest;
            return rows.observe(id, node.inspect(id), row -> row.placed(admitted.node(), placedDigest));
        } catch (RuntimeException e) {
            pulling.remove(id);
            if (created) {
                try {
                    node.remove(id, true);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            containers.deleteRow(id);
            log.info("container {} of team {} was not created: {}", request.name(), team.getName(), e.getMessage());
            throw namingTheReference(e, digest, request.image().strip());
        } finally {
            rows.observed(id);
        }
    }

    /**
     * The checks in the order a client learns of them, the admission, the row and (when the node has
     * the image) its digest: one transaction.
     */
    private Admitted admit(String id, Caller caller, String teamName, ContainerRequest request, boolean start) {
        return tx.execute(status -> {
            Team team = teams.require(caller, teamName, TeamRole.MEMBER).team();
            RestartPolicy policy = RestartPolicy.parse(request.restartPolicy());
            NetworkSpec network = requests.network(request);
            List<VolumeMount> mounts = ContainerRequestValidation.volumeMounts(request);
            String volumesNode = volumes.nodeOf(team, mounts.stream().map(VolumeMount::name).toList());
            Project project = request.project() == null ? null : projects.require(team, request.project());
            Resources resources = requests.resources(team, request.resources());
            String spec = requests.storedSpec(request, network);
            ContainerRequestValidation.checkEnv(request);
            quotas.admitContainer(team, resources); // holds the team's quota lock: names are checked one request at a time too
            if (containers.findByTeamIdAndName(team.getId(), request.name()).isPresent()) {
                throw WharfException.alreadyExists("team \"" + team.getName() + "\" already has a container \"" + request.name() + "\"");
            }
            String node = nodes.place(team.getId(), resources.cpus(), resources.memoryBytes(), volumesNode);
            Container row = new Container(id, team.getId(), project == null ? null : project.getId(), request.name(),
                    request.image().strip(), spec, resources.cpus(), resources.memoryBytes(), resources.pids(), policy,
                    start ? Container.DesiredState.RUNNING : Container.DesiredState.STOPPED, caller.name(), rows.now());
            row.placed(node, null); // before anything runs there: a server that dies now still knows where to look
            return new Admitted(containers.save(row), team, project, network, quotas.kernelLimits(team.getId()), node, // the quota row admission just read
                    images.resolveCached(team, request.image(), nodes.runtime(node)).orElse(null));
        });
    }

    /**
     * The node names an image by its digest ({@code image sha256:… has no user "ghost" in its
     * /etc/passwd}); the client asked for it by the reference it gave.
     */
    private static RuntimeException namingTheReference(RuntimeException e, String digest, String reference) {
        if (digest != null && !reference.equals(digest) && e instanceof RuntimeFailure failure
                && failure.getMessage().contains("image " + digest)) {
            return new RuntimeFailure(failure.kind(), failure.hostDetail().replace("image " + digest, "image " + reference), failure);
        }
        return e;
    }

    /** 16 hex digits: the container's id on the node (runc, cgroup, directories). */
    private String randomId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** In a project, the team's other containers also reach it as {@code name.project}. */
    private static NetworkSpec withProjectAlias(NetworkSpec network, String name, Project project) {
        return project == null || network.mode() == NetworkSpec.Mode.NONE ? network
                : new NetworkSpec(network.mode(), List.of(name + "." + project.getName()), network.ports());
    }

    /** Whether a pull the container waits for is in progress (its view then shows the pull's progress). */
    boolean isPulling(String id) {
        return pulling.containsKey(id);
    }

    /** Whether any container of any team waits for a pull here (views made earlier may then lack its progress). */
    boolean anyPulling() {
        return !pulling.isEmpty();
    }

    Optional<ContainerManagement.PullView> pullOf(Container container) {
        PullTracker.Pull pull = pulling.get(container.getId());
        if (pull == null) {
            return Optional.empty();
        }
        PullTracker.PullView view = pull.view();
        return Optional.of(new ContainerManagement.PullView(view.reference(), view.bytesDone(), view.bytesTotal()));
    }
}
