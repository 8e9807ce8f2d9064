package dev.wharf.platform.docker;

import dev.wharf.platform.web.WharfException;
import dev.wharf.platform.workload.ContainerAccess;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Docker's container configuration ({@code Config} fields at the top, {@code HostConfig}) as a Wharf container request.
 * Options that would give a container the host's devices, files, namespaces or more privileges are refused (403 naming
 * the option) before anything is made; options Wharf does not offer through this API yet are refused with 400 saying so,
 * never ignored.
 */
final class ContainerOptions {

    private ContainerOptions() {
    }

    static ContainerAccess.Create request(JsonNode config, String name) {
        JsonNode host = config.path("HostConfig");
        refuse(host);
        unsupported(config, host);
        Double cpus = null;
        long nano = host.path("NanoCpus").asLong(0);
        long quota = host.path("CpuQuota").asLong(0);
        long period = host.path("CpuPeriod").asLong(0);
        if (nano > 0) {
            cpus = nano / 1e9;
        } else if (quota > 0) {
            cpus = BigDecimal.valueOf(quota).divide(BigDecimal.valueOf(period > 0 ? period : 100_000), 3, java.math.RoundingMode.UP).doubleValue();
        }
        long memory = host.path("Memory").asLong(0);
        long pids = host.path("PidsLimit").asLong(0);
        String network = host.path("NetworkMode").asString("");
        String restart = null;
        JsonNode policy = host.path("RestartPolicy");
        String policyName = policy.path("Name").asString("");
        if (!policyName.isEmpty()) {
            int max = policy.path("MaximumRetryCount").asInt(0);
            restart = policyName.equals("on-failure") && max > 0 ? "on-failure:" + max : policyName;
        }
        JsonNode stopTimeout = config.path("StopTimeout");
        return new ContainerAccess.Create(name, config.path("Image").asString(""), strings(config.path("Cmd")),
                entrypoint(config.path("Entrypoint")), env(config.path("Env")), blankToNull(config.path("WorkingDir").asString("")),
                blankToNull(config.path("User").asString("")), labels(config.path("Labels")), cpus, memory > 0 ? memory : null,
                pids > 0 ? pids : null, stopTimeout.isNumber() ? stopTimeout.asInt() : null,
                host.path("Init").isBoolean() ? host.path("Init").asBoolean() : null,
                host.path("ReadonlyRootfs").asBoolean(false) ? Boolean.TRUE : null,
                network.equals("none") ? "none" : "team", restart, false);
    }

    /** The option that would reach past the team's container, or nothing. */
    static void refuse(JsonNode host) {
        if (host.path("Privileged").asBoolean(false)) {
            throw forbidden("privileged (--privileged)");
        }
        if (notEmpty(host.path("CapAdd"))) {
            throw forbidden("CapAdd (--cap-add)");
        }
        if (notEmpty(host.path("Devices")) || notEmpty(host.path("DeviceRequests")) || notEmpty(host.path("DeviceCgroupRules"))) {
            throw forbidden("Devices (--device, --gpus, --device-cgroup-rule)");
        }
        for (JsonNode bind : host.path("Binds")) {
            String source = bind.asString("");
            int colon = source.indexOf(':');
            source = colon < 0 ? source : source.substring(0, colon);
            if (source.startsWith("/") || source.startsWith(".") || source.startsWith("~") || source.contains("/")) {
                throw forbidden("Binds of host paths (-v " + source + ":…)");
            }
        }
        for (JsonNode mount : host.path("Mounts")) {
            if (mount.path("Type").asString("").equalsIgnoreCase("bind")) {
                throw forbidden("Mounts of type bind (--mount type=bind)");
            }
        }
        String network = host.path("NetworkMode").asString("");
        if (!Set.of("", "default", "bridge", "none").contains(network)) {
            if (network.equals("host") || network.startsWith("container:")) {
                throw forbidden("NetworkMode \"" + network + "\" (--network " + network + ")");
            }
            throw WharfException.notFound("network " + network + " not found");
        }
        namespace(host, "PidMode", "--pid", Set.of(""));
        namespace(host, "IpcMode", "--ipc", Set.of("", "private", "shareable", "none"));
        namespace(host, "UTSMode", "--uts", Set.of(""));
        namespace(host, "UsernsMode", "--userns", Set.of(""));
        namespace(host, "CgroupnsMode", "--cgroupns", Set.of("", "private"));
        for (JsonNode option : host.path("SecurityOpt")) {
            String value = option.asString("").replace('=', ':');
            if (!value.equals("no-new-privileges") && !value.equals("no-new-privileges:true")) {
                throw forbidden("SecurityOpt \"" + option.asString("") + "\" (--security-opt)");
            }
        }
        if (notEmpty(host.path("Sysctls"))) {
            throw forbidden("Sysctls (--sysctl)");
        }
        if (!host.path("CgroupParent").asString("").isEmpty()) {
            throw forbidden("CgroupParent (--cgroup-parent)");
        }
        String runtime = host.path("Runtime").asString("");
        if (!Set.of("", "runc", "default").contains(runtime)) {
            throw forbidden("Runtime \"" + runtime + "\" (--runtime)");
        }
    }

    private static void namespace(JsonNode host, String field, String flag, Set<String> allowed) {
        String value = host.path(field).asString("");
        if (!allowed.contains(value)) {
            throw forbidden(field + " \"" + value + "\" (" + flag + " " + value + ")");
        }
    }

    private static WharfException forbidden(String option) {
        return WharfException.forbidden(option + " is not allowed: containers on Wharf never reach the host's devices, files,"
                + " namespaces or privileges");
    }

    /** Options Wharf offers through REST but not through this API yet: refused rather than ignored. */
    private static void unsupported(JsonNode config, JsonNode host) {
        List<String> found = new ArrayList<>();
        if (config.path("Tty").asBoolean(false)) {
            found.add("Tty (-t)");
        }
        if (config.path("OpenStdin").asBoolean(false)) {
            found.add("OpenStdin (-i)");
        }
        if (notEmpty(config.path("Healthcheck").path("Test"))) {
            found.add("Healthcheck (--health-cmd)");
        }
        if (notEmpty(config.path("Volumes")) || notEmpty(host.path("Binds")) || notEmpty(host.path("Mounts"))) {
            found.add("volumes (-v, --mount)");
        }
        if (notEmpty(host.path("Tmpfs"))) {
            found.add("Tmpfs (--tmpfs)");
        }
        if (notEmpty(host.path("PortBindings")) || host.path("PublishAllPorts").asBoolean(false)) {
            found.add("published ports (-p, -P)");
        }
        if (host.path("AutoRemove").asBoolean(false)) {
            found.add("AutoRemove (--rm)");
        }
        String signal = config.path("StopSignal").asString("");
        if (!signal.isEmpty() && !signal.equals("SIGTERM") && !signal.equals("TERM") && !signal.equals("15")) {
            found.add("StopSignal (--stop-signal)");
        }
        if (!found.isEmpty()) {
            throw WharfException.invalid(String.join(", ", found) + (found.size() == 1 ? " is" : " are")
                    + " not supported through Wharf's Docker API yet; Wharf's REST API and dashboard offer "
                    + (found.size() == 1 ? "it" : "them"));
        }
    }

    private static boolean notEmpty(JsonNode node) {
        return node != null && !node.isMissingNode() && !node.isNull() && (node.isContainer() ? !node.isEmpty() : !node.asString("").isEmpty());
    }

    private static List<String> strings(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return List.of(node.asString());
        }
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asString("")));
        return values.isEmpty() ? null : values;
    }

    /** {@code --entrypoint ""} clears the image's entrypoint. */
    private static List<String> entrypoint(JsonNode node) {
        List<String> values = strings(node);
        return values != null && values.size() == 1 && values.get(0).isEmpty() ? List.of() : values;
    }

    private static Map<String, String> env(JsonNode node) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode entry : node) {
            String text = entry.asString("");
            int eq = text.indexOf('=');
            if (eq > 0) {
                env.put(text.substring(0, eq), text.substring(eq + 1));
            }
        }
        return env.isEmpty() ? null : env;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (var field : node.properties()) {
            labels.put(field.getKey(), field.getValue().asString(""));
        }
        return labels.isEmpty() ? null : labels;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The list's {@code filters}: the ones Wharf supports for containers, or a 400 naming the other. */
    static Map<String, List<String>> filters(JsonMapper json, String text) {
        Map<String, List<String>> filters = DockerApi.filters(json, text);
        for (String name : filters.keySet()) {
            if (!Set.of("label", "name", "id", "status").contains(name)) {
                throw WharfException.invalid("invalid filter '" + name + "'");
            }
        }
        return filters;
    }

    /** Whether a container passes every filter (any of one filter's values; every label). */
    static boolean matches(ContainerAccess.Info c, String state, String dockerId, Map<String, List<String>> filters) {
        for (var filter : filters.entrySet()) {
            List<String> values = filter.getValue();
            boolean ok = switch (filter.getKey()) {
                case "label" -> values.stream().allMatch(v -> {
                    int eq = v.indexOf('=');
                    return eq < 0 ? c.labels().containsKey(v) : v.substring(eq + 1).equals(c.labels().get(v.substring(0, eq)));
                });
                case "name" -> values.stream().anyMatch(v -> c.name().contains(v.startsWith("/") ? v.substring(1) : v));
                case "id" -> values.stream().anyMatch(v -> !v.isEmpty() && (dockerId.startsWith(v)));
                case "status" -> values.contains(state);
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Docker's {@code since}/{@code until}: Unix seconds, optionally with a fraction; 0 or missing: none. */
    static Instant time(String field, String value) {
        if (value == null || value.isBlank() || value.equals("0")) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(value.strip());
            long whole = seconds.longValue();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            return Instant.ofEpochSecond(whole, nanos);
        } catch (NumberFormatException e) {
            throw WharfException.invalid(field + " must be a Unix time in seconds, got \"" + value + "\"");
        }
    }
}
