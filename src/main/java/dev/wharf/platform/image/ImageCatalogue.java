package dev.wharf.platform.image;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.secret.SecretBox;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A team's images: pulling (with the team's registry credentials) and importing put an image on
 * the node and a name in the team's catalogue; deleting removes the name, and the image itself
 * once no team lists it and no container uses it. Images are shared on disk, never across teams
 * in the catalogue.
 */
@Service
public class ImageCatalogue {

    /** Background pulls (the API's ?wait=false, the images page); a handful at a time is plenty for one control plane. */
    private static final java.util.concurrent.ExecutorService BACKGROUND = java.util.concurrent.Executors.newFixedThreadPool(4, task -> {
        Thread thread = new Thread(task, "image-pull");
        thread.setDaemon(true);
        return thread;
    });

    private final TeamManagement teams;
    private final TeamImageRepository images;
    private final RegistryCredentialRepository credentials;
    private final SecretBox secrets;
    private final NodeRegistry nodes;
    private final PullTracker pulls;
    private final TransactionTemplate tx;
    private final Clock clock;

    ImageCatalogue(TeamManagement teams, TeamImageRepository images, RegistryCredentialRepository credentials, SecretBox secrets,
            NodeRegistry nodes, PullTracker pulls, TransactionTemplate tx, Clock clock) {
        this.teams = teams;
        this.images = images;
        this.credentials = credentials;
        this.secrets = secrets;
        this.nodes = nodes;
        this.pulls = pulls;
        this.tx = tx;
        this.clock = clock;
    }

    public List<TeamImage> list(Caller caller, String team) {
        Team t = teams.require(caller, team, TeamRole.VIEWER).team();
        return images.findByTeamIdOrderByReferenceAsc(t.getId());
    }

    /** Checks the caller may pull into the team and starts tracking; the pull itself is {@link #pull(Caller, PullTracker.Pull)}. */
    public PullTracker.Pull startPull(Caller caller, String team, String reference) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        ImageReference ref = parse(reference);
        return pulls.start(t.getId(), ref.toString());
    }

    /**
     * Pulls onto a node (the server's own, else the first that is up; containers on other nodes pull
     * it there when they need it) and records the image in the team's catalogue. No database
     * transaction is held meanwhile.
     */
    public TeamImage pull(Caller caller, PullTracker.Pull pull) {
        return pull(caller, pull, runtime(), credentialsOf(pull.teamId));
    }

    private TeamImage pull(Caller caller, PullTracker.Pull pull, RuntimeService node) {
        return pull(caller, pull, node, credentialsOf(pull.teamId));
    }

    private TeamImage pull(Caller caller, PullTracker.Pull pull, RuntimeService node, Function<String, RegistryCredentials> logins) {
        try {
            ImageInfo image = node.pullImage(pull.teamId, pull.reference, logins, pull::progress);
            TeamImage saved = record(pull.teamId, pull.reference, image, caller.name());
            pull.done(image.digest());
            return saved;
        } catch (RuntimeException e) {
            pull.failed(e.getMessage());
            throw e;
        }
    }

    /** The team's pulls in progress and of the last minutes, newest first. */
    public List<PullTracker.PullView> pulls(Caller caller, String team) {
        return pulls.forTeam(teams.require(caller, team, TeamRole.VIEWER).team().getId());
    }

    /**
     * Like {@link #pullInBackground(Caller, PullTracker.Pull)}, logging in to the pulled image's registry
     * with {@code given} (a Docker client's {@code X-Registry-Auth}) in place of the team's credentials there.
     */
    public void pullInBackground(Caller caller, PullTracker.Pull pull, RegistryCredentials given) {
        Function<String, RegistryCredentials> team = credentialsOf(pull.teamId);
        String registry = ImageReference.parse(pull.reference).registry();
        BACKGROUND.submit(() -> {
            try {
                pull(caller, pull, runtime(), host -> host.equals(registry) ? given : team.apply(host));
            } catch (RuntimeException e) {
                // the failure is in the pull's state for whoever polls it
            }
        });
    }

    /** Runs {@link #pull(Caller, PullTracker.Pull)} on a background thread; its outcome is in the pull's state. */
    public void pullInBackground(Caller caller, PullTracker.Pull pull) {
        BACKGROUND.submit(() -> {
            try {
                pull(caller, pull);
            } catch (RuntimeException e) {
                // the failure is in the pull's state for whoever polls it
            }
        });
    }

    /**
     * The digest of the image a container of the team names ({@code busybox:1}, a full reference,
     * or a digest of one of the team's images), pulling it with the team's credentials when the
     * node the container goes to does not have it; {@code onPull} learns of the pull so its progress can be shown.
     */
    public String resolveForContainer(Caller caller, Team team, String image, RuntimeService node,
            java.util.function.Consumer<PullTracker.Pull> onPull) {
        if (image != null && image.matches("sha256:[0-9a-f]{64}")) {
            boolean listed = images.findByTeamIdOrderByReferenceAsc(team.getId()).stream().anyMatch(i -> i.getDigest().equals(image));
            if (!listed) {
                throw WharfException.notFound("team \"" + team.getName() + "\" has no image " + image);
            }
            return image;
        }
        return resolveCached(team, image, node).orElseGet(() -> {
            PullTracker.Pull pull = pulls.start(team.getId(), parse(image).toString());
            onPull.accept(pull);
            return pull(caller, pull, node).getDigest();
        });
    }

    /**
     * The digest {@link #resolveForContainer} would give without pulling: when the team lists the
     * reference and {@code node} has the image. Empty otherwise (and for a digest), so the caller resolves it then.
     */
    public java.util.Optional<String> resolveCached(Team team, String image, RuntimeService node) {
        if (image != null && image.matches("sha256:[0-9a-f]{64}")) {
            return java.util.Optional.empty();
        }
        return images.findByTeamIdAndReference(team.getId(), parse(image).toString()).map(TeamImage::getDigest)
                .filter(digest -> onNode(node, team.getId(), digest));
    }

    /** Whether the team holds the image on {@code node} (another team's copy there does not count). */
    private static boolean onNode(RuntimeService node, long teamId, String digest) {
        try {
            node.image(teamId, digest);
            return true;
        } catch (RuntimeFailure e) {
            return false;
        }
    }

    public TeamImage importArchive(Caller caller, String team, InputStream archive) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        ImageInfo image = runtime().importImage(t.getId(), archive);
        String reference = image.references().isEmpty() ? image.digest() : image.references().get(image.references().size() - 1);
        return record(t.getId(), reference, image, caller.name());
    }

    /**
     * Imports an archive and names in the team's catalogue every name the archive gives its image
     * (a {@code docker save} of several tags gives several), or its digest when it gives none.
     */
    public List<TeamImage> load(Caller caller, String team, InputStream archive) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        ImageInfo image = runtime().importImage(t.getId(), archive);
        List<String> names = image.references().isEmpty() ? List.of(image.digest()) : image.references();
        return names.stream().map(name -> record(t.getId(), name, image, caller.name())).toList();
    }

    /** The image with this digest as the node holds it (config, layers), if the team lists it. */
    public ImageInfo inspect(Caller caller, String team, String digest) {
        Team t = teams.require(caller, team, TeamRole.VIEWER).team();
        requireListed(t, digest);
        return runtime().image(t.getId(), digest);
    }

    /** Gives one of the team's images (by digest) one more name in the team's catalogue; naming another image moves the name. */
    public TeamImage tag(Caller caller, String team, String digest, String reference) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        TeamImage existing = requireListed(t, digest);
        ImageInfo image = new ImageInfo(digest, List.of(), List.of(), existing.getSizeBytes(), null, existing.getAddedAt());
        return record(t.getId(), parse(reference).toString(), image, caller.name());
    }

    private TeamImage requireListed(Team team, String digest) {
        return images.findByTeamIdOrderByReferenceAsc(team.getId()).stream().filter(i -> i.getDigest().equals(digest)).findFirst()
                .orElseThrow(() -> WharfException.notFound("team \"" + team.getName() + "\" has no image " + digest));
    }

    public TeamImage get(Caller caller, String team, long id) {
        Team t = teams.require(caller, team, TeamRole.VIEWER).team();
        return images.findByIdAndTeamId(id, t.getId()).orElseThrow(() -> notFound(team, id));
    }

    /**
     * Removes the name; when the team has no other name for the image, the team lets go of it on
     * every node (refused with 409 while one of the team's containers uses it), and a node deletes
     * the image once no team holds it.
     */
    public void delete(Caller caller, String team, long id) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        tx.executeWithoutResult(status -> {
            TeamImage image = images.findByIdAndTeamId(id, t.getId()).orElseThrow(() -> notFound(team, id));
            images.delete(image);
            images.flush();
            boolean otherName = images.findByTeamIdOrderByReferenceAsc(t.getId()).stream()
                    .anyMatch(other -> other.getDigest().equals(image.getDigest()));
            if (!otherName) {
                for (RuntimeService node : nodes.up().values()) {
                    try {
                        node.removeImage(t.getId(), image.getDigest());
                    } catch (RuntimeFailure e) {
                        if (e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                            throw e;
                        }
                    }
                }
            }
        });
    }

    public record CredentialView(String registry, String username, java.time.Instant updatedAt) {
    }

    public List<CredentialView> credentials(Caller caller, String team) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        return credentials.findByTeamIdOrderByRegistryAsc(t.getId()).stream()
                .map(c -> new CredentialView(c.getRegistry(), c.getUsername(), c.getUpdatedAt())).toList();
    }

    public CredentialView putCredentials(Caller caller, String team, String registry, String username, String password) {
        Team t = teams.require(caller, team, TeamRole.OWNER).team();
        if (registry == null || !registry.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?") || registry.length() > 255) {
            throw WharfException.invalidField("registry", "registry must be a host name with an optional :port, like registry.example:5000");
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw WharfException.invalid("username and password are required");
        }
        return tx.execute(status -> {
            RegistryCredential credential = credentials.findByTeamIdAndRegistry(t.getId(), registry)
                    .orElseGet(() -> new RegistryCredential(t.getId(), registry));
            credential.set(username, secrets.seal(password), clock.instant());
            credentials.save(credential);
            return new CredentialView(registry, username, credential.getUpdatedAt());
        });
    }

    public void deleteCredentials(Caller caller, String team, String registry) {
        Team t = teams.require(caller, team, TeamRole.OWNER).team();
        tx.executeWithoutResult(status -> credentials.delete(credentials.findByTeamIdAndRegistry(t.getId(), registry)
                .orElseThrow(() -> WharfException.notFound("team \"" + team + "\" has no credentials for " + registry))));
    }

    /** The team's registry logins, decrypted only for the pull that needs them. */
    Function<String, RegistryCredentials> credentialsOf(long teamId) {
        Map<String, RegistryCredential> byRegistry = credentials.findByTeamIdOrderByRegistryAsc(teamId).stream()
                .collect(Collectors.toMap(RegistryCredential::getRegistry, c -> c));
        return registry -> {
            RegistryCredential c = byRegistry.get(registry);
            return c == null ? null : new RegistryCredentials(c.getUsername(), secrets.open(c.getSecret()));
        };
    }

    /**
     * Adds the image to the team's catalogue or updates its entry. Two requests pulling the same
     * new image at once both find no entry; the one whose insert loses to the unique key updates
     * the winner's entry instead.
     */
    private TeamImage record(long teamId, String reference, ImageInfo image, String who) {
        try {
            return upsert(teamId, reference, image, who);
        } catch (org.springframework.dao.DataIntegrityViolationException concurrentInsert) {
            return upsert(teamId, reference, image, who);
        }
    }

    private TeamImage upsert(long teamId, String reference, ImageInfo image, String who) {
        return tx.execute(status -> {
            TeamImage entry = images.findByTeamIdAndReference(teamId, reference)
                    .orElseGet(() -> new TeamImage(teamId, reference, image.digest(), image.sizeBytes(), who, clock.instant()));
            entry.update(image.digest(), image.sizeBytes(), who, clock.instant());
            return images.saveAndFlush(entry);
        });
    }

    private RuntimeService runtime() {
        return nodes.runtimeFor("hold images");
    }

    private static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw WharfException.invalidField("reference", "reference is required, like registry.example:5000/team/app:1.0");
        }
        return ImageReference.parse(reference.strip());
    }

    private static WharfException notFound(String team, long id) {
        return WharfException.notFound("team \"" + team + "\" has no image " + id);
    }
}
