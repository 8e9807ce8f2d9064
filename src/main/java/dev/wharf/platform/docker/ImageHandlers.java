package dev.wharf.platform.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.platform.docker.DockerImages.Found;
import dev.wharf.platform.docker.DockerImages.Image;
import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.TeamImage;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.RuntimeFailure;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docker images}, {@code image inspect}, {@code tag}, {@code rmi}, {@code image prune}: the team's
 * image catalogue, the same one REST and the dashboard show. Names may hold slashes
 * ({@code 127.0.0.1:5000/shop/app:1}), so the per-image calls are read from the path by hand.
 */
@DockerController
class ImageHandlers {

    private final DockerImages images;
    private final ImageCatalogue catalogue;
    private final DockerIds ids;
    private final JsonMapper json;

    ImageHandlers(DockerImages images, ImageCatalogue catalogue, DockerIds ids, JsonMapper json) {
        this.images = images;
        this.catalogue = catalogue;
        this.ids = ids;
        this.json = json;
    }

    record Summary(@JsonProperty("Id") String id, @JsonProperty("ParentId") String parentId,
            @JsonProperty("RepoTags") List<String> repoTags, @JsonProperty("RepoDigests") List<String> repoDigests,
            @JsonProperty("Created") long created, @JsonProperty("Size") long size, @JsonProperty("SharedSize") long sharedSize,
            @JsonProperty("VirtualSize") long virtualSize, @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("Containers") long containers) {

        static Summary of(Image image) {
            return new Summary(image.digest(), "", image.repoTags(), image.repoDigests(), image.created().getEpochSecond(), image.size(),
                    -1, image.size(), Map.of(), -1);
        }
    }

    @GetMapping("/images/json")
    List<Summary> list(DockerCaller caller, @RequestParam(required = false) String filters) {
        Map<String, List<String>> wanted = DockerApi.filters(json, filters);
        if (wanted.getOrDefault("dangling", List.of()).stream().anyMatch(v -> v.equals("true") || v.equals("1"))) {
            return List.of(); // every image of a team has a name
        }
        List<String> references = wanted.getOrDefault("reference", List.of());
        return images.list(caller).stream()
                .filter(image -> references.isEmpty() || image.repoTags().stream().anyMatch(tag -> references.stream()
                        .anyMatch(r -> tag.equals(r) || tag.startsWith(r + ":") || tag.matches(glob(r)))))
                .map(Summary::of).toList();
    }

    /** The calls on one image: {@code GET …/json}, {@code POST …/tag}, {@code POST …/push}, {@code DELETE …}. */
    @RequestMapping("/images/**")
    ResponseEntity<?> image(DockerCaller caller, HttpServletRequest request, @RequestParam(required = false) String repo,
            @RequestParam(required = false) String tag, @RequestParam(defaultValue = "false") boolean force) {
        String rest = UriUtils.decode(request.getRequestURI().substring((request.getContextPath() + DockerApi.BASE + "/images/").length()),
                StandardCharsets.UTF_8);
        String method = request.getMethod();
        if (method.equals("GET") && rest.endsWith("/json")) {
            return ResponseEntity.ok(inspect(caller, rest.substring(0, rest.length() - "/json".length())));
        }
        if (method.equals("GET") && rest.endsWith("/history")) {
            return ResponseEntity.ok(history(caller, rest.substring(0, rest.length() - "/history".length())));
        }
        if (method.equals("POST") && rest.endsWith("/tag")) {
            tag(caller, rest.substring(0, rest.length() - "/tag".length()), repo, tag);
            return ResponseEntity.status(HttpStatus.CREATED).build();
        }
        if (method.equals("POST") && rest.endsWith("/push")) {
            return DockerErrors.answer(HttpStatus.NOT_IMPLEMENTED, ImageTransfer.NO_PUSH);
        }
        if (method.equals("DELETE") && !rest.isEmpty()) {
            return ResponseEntity.ok(remove(caller, rest, force));
        }
        return DockerErrors.answer(HttpStatus.NOT_FOUND, "page not found");
    }

    Map<String, Object> inspect(DockerCaller caller, String name) {
        Image image = images.find(caller, name).image();
        ImageInfo info = catalogue.inspect(caller.caller(), caller.team(), image.digest());
        ImageInfo.ImageConfig config = info.config();
        Map<String, Object> containerConfig = new LinkedHashMap<>();
        containerConfig.put("Hostname", "");
        containerConfig.put("User", config == null || config.user() == null ? "" : config.user());
        Map<String, Object> exposed = new LinkedHashMap<>();
        if (config != null) {
            config.exposedPorts().forEach(port -> exposed.put(port.contains("/") ? port : port + "/tcp", Map.of()));
        }
        containerConfig.put("ExposedPorts", exposed.isEmpty() ? null : exposed);
        containerConfig.put("Env", config == null ? List.of() : config.env());
        containerConfig.put("Cmd", config == null || config.cmd().isEmpty() ? null : config.cmd());
        containerConfig.put("Entrypoint", config == null || config.entrypoint().isEmpty() ? null : config.entrypoint());
        containerConfig.put("WorkingDir", config == null || config.workingDir() == null ? "" : config.workingDir());
        containerConfig.put("Labels", config == null ? Map.of() : config.labels());
        if (config != null && config.stopSignal() != null) {
            containerConfig.put("StopSignal", config.stopSignal());
        }
        Map<String, Object> inspected = new LinkedHashMap<>();
        inspected.put("Id", image.digest());
        inspected.put("RepoTags", image.repoTags());
        inspected.put("RepoDigests", image.repoDigests());
        inspected.put("Parent", "");
        inspected.put("Comment", "");
        inspected.put("Created", image.created().toString());
        inspected.put("DockerVersion", "");
        inspected.put("Author", "");
        inspected.put("Config", containerConfig);
        inspected.put("Architecture", SystemController.architecture());
        inspected.put("Os", "linux");
        inspected.put("Size", info.sizeBytes());
        inspected.put("VirtualSize", info.sizeBytes());
        inspected.put("GraphDriver", Map.of("Name", "overlay2", "Data", Map.of()));
        inspected.put("RootFS", Map.of("Type", "layers", "Layers", info.layers()));
        inspected.put("Metadata", Map.of("LastTagTime", "0001-01-01T00:00:00Z"));
        return inspected;
    }

    /**
     * {@code docker history}: the image's layers, newest first; Wharf keeps neither the commands that made
     * them nor their sizes one by one, so the newest carries the image's id, tags and whole size.
     */
    List<Map<String, Object>> history(DockerCaller caller, String name) {
        Image image = images.find(caller, name).image();
        ImageInfo info = catalogue.inspect(caller.caller(), caller.team(), image.digest());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = info.layers().size() - 1; i >= 0; i--) {
            boolean top = i == info.layers().size() - 1;
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("Id", top ? image.digest() : "<missing>");
            layer.put("Created", image.created().getEpochSecond());
            layer.put("CreatedBy", "");
            layer.put("Tags", top ? image.repoTags() : null);
            layer.put("Size", top ? info.sizeBytes() : 0);
            layer.put("Comment", info.layers().get(i));
            layers.add(layer);
        }
        return layers;
    }

    void tag(DockerCaller caller, String name, String repo, String tag) {
        caller.require(TeamRole.MEMBER, "tag images");
        if (repo == null || repo.isBlank()) {
            throw WharfException.invalid("repository name is required (repo=…)");
        }
        Image image = images.find(caller, name).image();
        catalogue.tag(caller.caller(), caller.team(), image.digest(), repo + ":" + (tag == null || tag.isBlank() ? "latest" : tag));
    }

    /**
     * {@code docker rmi}: a name removes that name (and the image with its last name); an id removes an
     * image with one name, or with several only when forced, as Docker does.
     */
    List<Map<String, String>> remove(DockerCaller caller, String name, boolean force) {
        caller.require(TeamRole.MEMBER, "remove images");
        Found found = images.find(caller, name);
        List<TeamImage> untag = found.byName() != null ? List.of(found.byName()) : found.image().entries();
        if (found.byName() == null && untag.size() > 1 && !force) {
            throw WharfException.conflict("conflict: unable to delete " + shortId(found.image().digest())
                    + " (must be forced) - image is referenced in multiple repositories");
        }
        List<Map<String, String>> report = new ArrayList<>();
        for (TeamImage entry : untag) {
            catalogue.delete(caller.caller(), caller.team(), entry.getId());
            if (!entry.getReference().startsWith("sha256:")) {
                report.add(Map.of("Untagged", DockerImages.familiar(entry.getReference())));
            }
        }
        if (untag.size() == found.image().entries().size()) {
            report.add(Map.of("Deleted", found.image().digest()));
        }
        return report;
    }

    record Pruned(@JsonProperty("ImagesDeleted") List<Map<String, String>> deleted, @JsonProperty("SpaceReclaimed") long reclaimed) {
    }

    /**
     * {@code docker image prune}: every image of a team has a name, so none is dangling and a prune
     * without {@code dangling=false} removes nothing; with it ({@code -a}), every image no container of
     * the team uses goes.
     */
    @PostMapping("/images/prune")
    Pruned prune(DockerCaller caller, @RequestParam(required = false) String filters) {
        caller.require(TeamRole.MEMBER, "remove images");
        List<String> dangling = DockerApi.filters(json, filters).getOrDefault("dangling", List.of("true"));
        if (!dangling.contains("false") && !dangling.contains("0")) {
            return new Pruned(List.of(), 0);
        }
        Set<String> inUse = ids.imageDigestsInUse(caller);
        List<Map<String, String>> deleted = new ArrayList<>();
        long reclaimed = 0;
        for (Image image : images.list(caller)) {
            if (inUse.contains(image.digest())) {
                continue;
            }
            try {
                deleted.addAll(remove(caller, image.digest(), true));
                reclaimed += image.size();
            } catch (RuntimeFailure | WharfException inUseNow) {
                // a container took it since: it stays
            }
        }
        return new Pruned(deleted, reclaimed);
    }

    /** Docker's {@code filters} query parameter: {@code {"reference":["busybox"]}} (or the old {@code {"reference":{"busybox":true}}}). */
    private static String glob(String pattern) {
        return pattern.replaceAll("[^A-Za-z0-9*]", "\\\\$0").replace("*", "[^/]*") + "(:.*)?";
    }

    static String shortId(String digest) {
        return digest.substring("sha256:".length(), "sha256:".length() + 12);
    }
}
