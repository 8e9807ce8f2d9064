package dev.wharf.platform.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;

/** The Docker API's system calls: {@code /_ping}, {@code /version}, and "page not found" for every path no handler serves. */
@DockerController
class SystemController {

    private final String wharfVersion;

    SystemController(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        this.wharfVersion = properties == null ? "dev" : properties.getVersion();
    }

    @RequestMapping(path = "/_ping", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<String> ping() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).header("Cache-Control", "no-cache, no-store, must-revalidate")
                .header("Pragma", "no-cache").body("OK");
    }

    /** This host's architecture as Go (and so Docker) names it. */
    static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    record Component(@JsonProperty("Name") String name, @JsonProperty("Version") String version,
            @JsonProperty("Details") Map<String, String> details) {
    }

    record Version(@JsonProperty("Platform") Map<String, String> platform, @JsonProperty("Components") List<Component> components,
            @JsonProperty("Version") String version, @JsonProperty("ApiVersion") String apiVersion,
            @JsonProperty("MinAPIVersion") String minApiVersion, @JsonProperty("GitCommit") String gitCommit,
            @JsonProperty("GoVersion") String goVersion, @JsonProperty("Os") String os, @JsonProperty("Arch") String arch,
            @JsonProperty("KernelVersion") String kernelVersion) {
    }

    @GetMapping("/version")
    Version version() {
        String arch = architecture();
        String java = "java" + Runtime.version().feature();
        return new Version(Map.of("Name", "Wharf"),
                List.of(new Component("Engine", wharfVersion, Map.of("ApiVersion", DockerApi.VERSION, "MinAPIVersion",
                        DockerApi.MIN_VERSION, "Os", "linux", "Arch", arch))),
                wharfVersion, DockerApi.VERSION, DockerApi.MIN_VERSION, "", java, "linux", arch, System.getProperty("os.version"));
    }

    /** Any path and method no Docker handler serves: what the Docker Engine answers. */
    @RequestMapping("/**")
    ResponseEntity<DockerErrors.Message> notFound() {
        return DockerErrors.answer(HttpStatus.NOT_FOUND, "page not found");
    }
}
