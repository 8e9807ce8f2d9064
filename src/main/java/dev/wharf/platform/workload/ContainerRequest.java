package dev.wharf.platform.workload;

import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Names;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Map;

/** {@code POST /api/v1/teams/{team}/containers}, as in docs/api.md. Fields after {@code start} are optional, like most before it. */
record ContainerRequest(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_RULE) String name,
        @NotBlank String image,
        List<String> command,
        Map<String, String> env,
        String workingDir,
        String user,
        String project,
        @Valid ResourceRequest resources,
        List<PortRequest> ports,
        String network,
        List<VolumeRequest> volumes,
        String restartPolicy,
        Boolean start,
        List<String> entrypoint,
        @Schema(description = Labels.RULE) Map<String, String> labels,
        HealthcheckRequest healthcheck,
        @Schema(description = "seconds a stop or restart waits after the stop signal before KILL, 0-3600", defaultValue = "10")
        Integer stopTimeout,
        @Schema(description = "run a minimal init (tini) as PID 1 that reaps zombies and forwards signals to the command",
                defaultValue = "false")
        Boolean init,
        @Schema(description = "tmpfs mounts (nosuid, nodev, mode 1777), counted against the container's memory")
        List<TmpfsRequest> tmpfs,
        @Schema(description = "mount the root filesystem read-only; volumes, tmpfs and /dev/shm stay writable", defaultValue = "false")
        Boolean readOnlyRootfs) {

    /** The fields of Wharf 1.0's requests, without entrypoint, labels, health check and the run options. */
    ContainerRequest(String name, String image, List<String> command, Map<String, String> env, String workingDir, String user,
            String project, ResourceRequest resources, List<PortRequest> ports, String network, List<VolumeRequest> volumes,
            String restartPolicy, Boolean start) {
        this(name, image, command, env, workingDir, user, project, resources, ports, network, volumes, restartPolicy, start, null, null,
                null, null, null, null, null);
    }

    /**
     * A health check: {@code test} is {@code ["CMD", …]}, {@code ["CMD-SHELL", "…"]} or {@code ["NONE"]}; durations
     * like {@code "30s"}; missing fields take the image's, then Docker's defaults. {@code onUnhealthy} is {@code "none"}
     * (report only, the default) or {@code "restart"}.
     */
    @io.swagger.v3.oas.annotations.media.Schema(description = "Docker's HEALTHCHECK: test [\"CMD\", program, args…],"
            + " [\"CMD-SHELL\", \"command\"] or [\"NONE\"]; interval and timeout 1s to 24h, startPeriod 0s to 24h (like \"30s\");"
            + " retries 1 to 1000; onUnhealthy \"none\" (report only, the default) or \"restart\". Missing fields take the image's,"
            + " then 30s, 30s, 0s and 3")
    record HealthcheckRequest(List<String> test, String interval, String timeout, String startPeriod, Integer retries,
            String onUnhealthy) {
    }

    /** A tmpfs at an absolute path holding at most {@code size} ({@code "64Mi"}), counted against the container's memory. */
    record TmpfsRequest(String path, String size) {
    }

    /** A container port published on the host; {@code protocol} defaults to tcp, {@code hostIp} to every address. */
    record PortRequest(Integer containerPort, Integer hostPort, String protocol, String hostIp) {
    }

    /** A team volume by name, mounted at an absolute path. */
    record VolumeRequest(String name, String path, Boolean readOnly) {
    }

    /** Memory as bytes or "256Mi"; missing values take the team's defaults. */
    record ResourceRequest(Double cpus, String memory, Long pids) {
    }
}
