package dev.wharf.platform.workload;

import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ContainerDefaults;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TmpfsMount;
import dev.wharf.runtime.api.VolumeMount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A create request's parts checked and turned into what the runtime takes: network and published
 * ports (against the host ports teams may publish on), volumes, resources (the team's defaults for
 * those not asked for), environment, and the spec as stored. Each refusal is a 400 naming its field.
 */
@Component
class ContainerRequestValidation {

    private final QuotaAdmission quotas;
    private final JsonMapper json;
    private final dev.wharf.runtime.api.HostPortRange hostPorts;

    ContainerRequestValidation(QuotaAdmission quotas, JsonMapper json,
            @Value("${wharf.network.host-ports:1024-65535}") String hostPorts) {
        this.quotas = quotas;
        this.json = json;
        this.hostPorts = dev.wharf.runtime.api.HostPortRange.parse(hostPorts);
    }

    /** {@code network} ({@code team}, the default, or {@code none}) and {@code ports}, checked against the allowed host ports. */
    NetworkSpec network(ContainerRequest request) {
        NetworkSpec.Mode mode;
        if (request.network() == null || request.network().isBlank() || request.network().strip().equalsIgnoreCase("team")) {
            mode = NetworkSpec.Mode.TEAM;
        } else if (request.network().strip().equalsIgnoreCase("none")) {
            mode = NetworkSpec.Mode.NONE;
        } else {
            throw WharfException.invalidField("network", "network must be \"team\" (the team's network, the default) or \"none\""
                    + " (loopback only), got \"" + request.network() + "\"");
        }
        List<PortMapping> ports = new ArrayList<>();
        List<ContainerRequest.PortRequest> requested = request.ports() == null ? List.of() : request.ports();
        for (int i = 0; i < requested.size(); i++) {
            ContainerRequest.PortRequest port = requested.get(i);
            String field = "ports[" + i + "]";
            if (port == null || port.containerPort() == null || port.hostPort() == null) {
                throw WharfException.invalidField(field, "a port needs containerPort and hostPort");
            }
            if (!hostPorts.contains(port.hostPort())) {
                throw WharfException.invalidField(field + ".hostPort", "host port " + port.hostPort() + " is outside the range teams may"
                        + " publish on (" + hostPorts + ", set by the platform admin)");
            }
            try {
                ports.add(new PortMapping(port.containerPort(), port.hostPort(), port.protocol(), port.hostIp()));
            } catch (RuntimeFailure e) {
                throw WharfException.invalidField(field, e.getMessage());
            }
        }
        try {
            return new NetworkSpec(mode, List.of(), ports);
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField(mode == NetworkSpec.Mode.NONE ? "network" : "ports", e.getMessage());
        }
    }

    static List<VolumeMount> volumeMounts(ContainerRequest request) {
        if (request.volumes() == null) {
            return List.of();
        }
        try {
            return request.volumes().stream()
                    .map(v -> new VolumeMount(v.name(), v.path(), Boolean.TRUE.equals(v.readOnly()))).toList();
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField("volumes", e.getMessage());
        }
    }

    /** The declared limits: those asked for, else the team's defaults. */
    Resources resources(Team team, ContainerRequest.ResourceRequest request) {
        QuotaAdmission.DefaultResources defaults = quotas.defaults(team.getId());
        Double cpus = request == null || request.cpus() == null ? defaults.cpus() : Quantities.cpus("resources.cpus", request.cpus());
        Long memory = request == null || request.memory() == null ? defaults.memory() : Quantities.bytes("resources.memory", request.memory());
        Long pids = request == null || request.pids() == null ? defaults.pids() : Quantities.count("resources.pids", request.pids());
        try {
            return new Resources(cpus, memory, pids);
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField("resources", e.getMessage());
        }
    }

    /** What is stored of the request beside the columns (see {@link ContainerManagement.StoredSpec}), as JSON. */
    String storedSpec(ContainerRequest request, NetworkSpec network) {
        healthOverride(request.healthcheck()); // checked here, before anything is admitted
        tmpfs(request);
        return json.writeValueAsString(new ContainerManagement.StoredSpec(request.command(), request.env(), request.workingDir(),
                request.user(), request.volumes(), network.mode().name().toLowerCase(Locale.ROOT), network.ports().stream()
                        .map(p -> new ContainerRequest.PortRequest(p.containerPort(), p.hostPort(), p.protocol(), p.hostIp())).toList(),
                request.entrypoint(), Labels.check("labels", request.labels()), request.healthcheck(), stopTimeout(request),
                Boolean.TRUE.equals(request.init()), request.tmpfs(), Boolean.TRUE.equals(request.readOnlyRootfs())));
    }

    /** The most a stop waits for the process to end before it is killed. */
    static final int MAX_STOP_TIMEOUT = 3600;
    static final int DEFAULT_STOP_TIMEOUT = 10;

    /** {@code stopTimeout} in seconds, 0 to {@value #MAX_STOP_TIMEOUT}; 10 when not given. */
    static int stopTimeout(ContainerRequest request) {
        if (request.stopTimeout() == null) {
            return DEFAULT_STOP_TIMEOUT;
        }
        if (request.stopTimeout() < 0 || request.stopTimeout() > MAX_STOP_TIMEOUT) {
            throw WharfException.invalidField("stopTimeout", "stopTimeout must be between 0 and " + MAX_STOP_TIMEOUT + " seconds, got "
                    + request.stopTimeout());
        }
        return request.stopTimeout();
    }

    /**
     * The request's health check as overrides of the image's, each field checked as {@link HealthCheck} will
     * take it (a 400 naming the field); {@code onUnhealthy} is checked too.
     */
    static ContainerDefaults.HealthOverride healthOverride(ContainerRequest.HealthcheckRequest health) {
        if (health == null) {
            return null;
        }
        if (health.onUnhealthy() != null && !List.of("none", HealthReports.RESTART).contains(health.onUnhealthy())) {
            throw WharfException.invalidField("healthcheck.onUnhealthy", "onUnhealthy must be \"none\" (report only, the default) or"
                    + " \"restart\", got \"" + health.onUnhealthy() + "\"");
        }
        List<String> test = health.test();
        if (test != null && !test.isEmpty() && !validTest(test)) {
            throw WharfException.invalidField("healthcheck.test", "test must be [\"CMD\", program, args…], [\"CMD-SHELL\", \"command\"]"
                    + " or [\"NONE\"]");
        }
        if (health.retries() != null && (health.retries() < 1 || health.retries() > MAX_RETRIES)) {
            throw WharfException.invalidField("healthcheck.retries", "retries must be between 1 and " + MAX_RETRIES + ", got "
                    + health.retries());
        }
        return new ContainerDefaults.HealthOverride(test, probeDuration("healthcheck.interval", health.interval(), Duration.ofSeconds(1)),
                probeDuration("healthcheck.timeout", health.timeout(), Duration.ofSeconds(1)),
                probeDuration("healthcheck.startPeriod", health.startPeriod(), Duration.ZERO), health.retries());
    }

    private static final int MAX_RETRIES = 1000;

    private static boolean validTest(List<String> test) {
        if (test.stream().anyMatch(java.util.Objects::isNull)) {
            return false;
        }
        return switch (test.get(0)) {
            case "NONE" -> test.size() == 1;
            case "CMD" -> test.size() >= 2 && !test.get(1).isBlank();
            case "CMD-SHELL" -> test.size() == 2 && !test.get(1).isBlank();
            default -> false;
        };
    }

    /** A duration of the health check between {@code min} and a day. */
    private static Duration probeDuration(String field, String value, Duration min) {
        Duration duration = Quantities.duration(field, value);
        if (duration != null && (duration.compareTo(min) < 0 || duration.compareTo(Duration.ofDays(1)) > 0)) {
            throw WharfException.invalidField(field, field + " must be between " + (min.isZero() ? "0s" : min.toSeconds() + "s")
                    + " and 24h, got \"" + value + "\"");
        }
        return duration;
    }

    /** {@code tmpfs}: absolute paths (normalized) that no volume or other tmpfs takes, sizes of at least 4Ki. */
    static List<TmpfsMount> tmpfs(ContainerRequest request) {
        if (request.tmpfs() == null) {
            return List.of();
        }
        List<String> volumePaths = request.volumes() == null ? List.of() : request.volumes().stream()
                .filter(v -> v != null && v.path() != null && v.path().startsWith("/"))
                .map(v -> TmpfsMount.normalize(v.path())).toList();
        List<TmpfsMount> mounts = new ArrayList<>();
        for (int i = 0; i < request.tmpfs().size(); i++) {
            ContainerRequest.TmpfsRequest tmpfs = request.tmpfs().get(i);
            String field = "tmpfs[" + i + "]";
            if (tmpfs == null || tmpfs.path() == null || tmpfs.size() == null) {
                throw WharfException.invalidField(field, "a tmpfs needs a path and a size, like {\"path\": \"/run\", \"size\": \"64Mi\"}");
            }
            TmpfsMount mount;
            try {
                mount = new TmpfsMount(tmpfs.path(), Quantities.bytes(field + ".size", tmpfs.size()));
            } catch (RuntimeFailure e) {
                throw WharfException.invalidField(field, e.getMessage());
            }
            if (mounts.stream().anyMatch(m -> m.path().equals(mount.path()))) {
                throw WharfException.invalidField(field + ".path", "two tmpfs mounts are at " + mount.path());
            }
            if (volumePaths.contains(mount.path())) {
                throw WharfException.invalidField(field + ".path", "a volume is mounted at " + mount.path() + " already");
            }
            mounts.add(mount);
        }
        return mounts;
    }

    /** Environment variables: names of letters, digits and {@code _}, string values. */
    static void checkEnv(ContainerRequest request) {
        if (request.env() != null) {
            request.env().forEach((key, value) -> {
                if (key == null || !key.matches("[A-Za-z_][A-Za-z0-9_]*") || value == null) {
                    throw WharfException.invalidField("env", "env must map variable names (letters, digits, _) to string values; \""
                            + key + "\" does not");
                }
            });
        }
    }

    /** The runtime spec: the image's defaults overridden by the request, as Docker does. */
    static ContainerSpec spec(Container container, Team team, ImageInfo image, String digest, ContainerRequest request,
            NetworkSpec network) {
        try {
            ContainerDefaults.Resolved run = ContainerDefaults.resolve(request.image(), image.config(), new ContainerDefaults.Request(
                    request.entrypoint(), request.command(), request.env(), request.workingDir(), request.user(),
                    healthOverride(request.healthcheck())));
            RunOptions options = new RunOptions(Boolean.TRUE.equals(request.init()), tmpfs(request),
                    Boolean.TRUE.equals(request.readOnlyRootfs()), run.healthCheck());
            return new ContainerSpec(container.getId(), container.getName(), team.getId(), new Rootfs.Image(digest), run.args(), run.env(),
                    run.workingDir(), run.user(), new Resources(container.getCpus(), container.getMemoryBytes(), container.getPids()),
                    run.stopSignal(), volumeMounts(request), network, options);
        } catch (RuntimeFailure e) {
            throw WharfException.invalid(e.getMessage());
        }
    }
}
