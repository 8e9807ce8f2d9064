package dev.wharf.platform.docker;

import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.PullTracker;
import dev.wharf.platform.image.TeamImage;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RegistryCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Images in and out: {@code docker load} (a {@code docker save} or OCI archive), {@code docker pull} with
 * Docker's JSON progress stream (the team's registry credentials, or the client's {@code X-Registry-Auth});
 * {@code build} and {@code push} are not offered (501, saying what to do instead).
 */
@DockerController
class ImageTransfer {

    static final String NO_BUILD = "Wharf does not build images: build with docker build (or buildah, kaniko) where you work, "
            + "then push to a registry and docker pull it here, or docker save it and docker load the archive here";
    static final String NO_PUSH = "Wharf does not push images: it is not a registry and keeps no build results; "
            + "push from where the image was built";
    static final String NO_LOGIN = "Wharf does not check registry logins: give the team's login in Wharf (the registries of the team, "
            + "PUT /api/v1/teams/{team}/registries/{host}), or keep it in your Docker client's config.json, which docker pull sends along";
    private static final long POLL_MILLIS = 200;

    private final ImageCatalogue catalogue;
    private final JsonMapper json;

    ImageTransfer(ImageCatalogue catalogue, JsonMapper json) {
        this.catalogue = catalogue;
        this.json = json;
    }

    @PostMapping("/images/load")
    ResponseEntity<StreamingResponseBody> load(DockerCaller caller, InputStream archive, @RequestParam(defaultValue = "false") boolean quiet) {
        caller.require(TeamRole.MEMBER, "load images");
        List<TeamImage> loaded = catalogue.load(caller.caller(), caller.team(), archive);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(out -> {
            for (TeamImage image : loaded) {
                String name = image.getReference();
                line(out, Map.of("stream", name.startsWith("sha256:") ? "Loaded image ID: " + name + "\n"
                        : "Loaded image: " + DockerImages.familiar(name) + "\n"));
            }
        });
    }

    /**
     * {@code docker pull}: checked (role, reference) before the answer starts, so a refusal has its status;
     * then the pull runs and its progress streams, per layer, until it is done or failed (an
     * {@code error} line, which the CLI prints, exiting with 1).
     */
    @PostMapping("/images/create")
    ResponseEntity<StreamingResponseBody> pull(DockerCaller caller, @RequestParam(required = false) String fromImage,
            @RequestParam(required = false) String fromSrc, @RequestParam(required = false) String tag,
            @RequestHeader(name = "X-Registry-Auth", required = false) String registryAuth) {
        if (fromSrc != null) {
            return ResponseEntity.status(HttpStatus.NOT_IMPLEMENTED).contentType(MediaType.APPLICATION_JSON)
                    .body(out -> line(out, Map.of("message", "docker import is not offered: use docker load with a docker save archive")));
        }
        if (fromImage == null || fromImage.isBlank()) {
            throw WharfException.invalid("fromImage is required");
        }
        String reference = tag == null || tag.isBlank() ? fromImage
                : tag.startsWith("sha256:") ? fromImage + "@" + tag : fromImage + ":" + tag;
        caller.require(TeamRole.MEMBER, "pull images");
        PullTracker.Pull pull = catalogue.startPull(caller.caller(), caller.team(), reference);
        RegistryCredentials given = credentials(registryAuth);
        if (given != null) {
            catalogue.pullInBackground(caller.caller(), pull, given);
        } else {
            catalogue.pullInBackground(caller.caller(), pull);
        }
        String shown = DockerImages.familiar(pull.view().reference());
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(out -> progress(out, pull, shown));
    }

    private void progress(OutputStream out, PullTracker.Pull pull, String shown) throws IOException {
        String tagOrDigest = shown.contains("@") ? shown.substring(shown.indexOf('@') + 1) : shown.substring(shown.lastIndexOf(':') + 1);
        line(out, Map.of("status", "Pulling from " + shown.replaceAll("[:@][^:/@]+$", ""), "id", tagOrDigest));
        Map<String, Long> shownDone = new HashMap<>();
        PullTracker.PullView view = pull.view();
        while (true) {
            for (PullTracker.LayerView layer : view.layers()) {
                String id = layer.digest().replace("sha256:", "").substring(0, 12);
                Long before = shownDone.put(layer.digest(), layer.done());
                if (before == null || before != layer.done()) {
                    boolean complete = layer.total() > 0 && layer.done() >= layer.total();
                    Map<String, Object> status = new LinkedHashMap<>();
                    status.put("status", complete ? "Download complete" : "Downloading");
                    status.put("progressDetail", complete ? Map.of() : Map.of("current", layer.done(), "total", layer.total()));
                    status.put("id", id);
                    line(out, status);
                }
            }
            if (!view.state().equals("pulling")) {
                break;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            view = pull.view();
        }
        if (view.state().equals("done")) {
            line(out, Map.of("status", "Digest: " + view.digest()));
            line(out, Map.of("status", "Status: Downloaded newer image for " + shown));
        } else {
            String message = view.error() == null ? "pull failed" : view.error();
            line(out, Map.of("errorDetail", Map.of("message", message), "error", message));
        }
    }

    @PostMapping("/build")
    ResponseEntity<DockerErrors.Message> build() {
        return DockerErrors.answer(HttpStatus.NOT_IMPLEMENTED, NO_BUILD);
    }

    /** {@code docker login}: Wharf does not check a registry login for the client; it uses the one a pull sends, or the team's. */
    @PostMapping("/auth")
    ResponseEntity<DockerErrors.Message> login() {
        return DockerErrors.answer(HttpStatus.NOT_IMPLEMENTED, NO_LOGIN);
    }

    @org.springframework.web.bind.annotation.GetMapping("/images/search")
    ResponseEntity<DockerErrors.Message> search() {
        return DockerErrors.answer(HttpStatus.NOT_IMPLEMENTED, "Wharf does not search registries: search them where they are published");
    }

    /** {@code X-Registry-Auth}: base64url JSON with {@code username} and {@code password}; empty or {@code {}} means none. */
    private RegistryCredentials credentials(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        JsonNode auth;
        try {
            auth = json.readTree(new String(Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_')),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw WharfException.invalid("X-Registry-Auth is not base64url-encoded JSON");
        }
        String username = auth.path("username").asString("");
        String password = auth.path("password").asString("");
        return username.isEmpty() || password.isEmpty() ? null : new RegistryCredentials(username, password);
    }

    private void line(OutputStream out, Map<String, ?> message) throws IOException {
        out.write(json.writeValueAsBytes(message));
        out.write('\n');
        out.flush();
    }
}
