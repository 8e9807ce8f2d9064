package dev.wharf.platform.workload;

import dev.wharf.platform.web.Names;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Map;

/** {@code POST /api/v1/teams/{team}/containers}, as in docs/api.md. */
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
        Boolean start) {

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
