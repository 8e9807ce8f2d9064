package dev.wharf.platform.docker;

import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.platform.workload.ContainerAccess;
import dev.wharf.runtime.api.LogLine;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docker create/run -d, start, stop, restart, kill, rm, ps, inspect, logs, wait}: the team's containers, the same
 * ones REST and the dashboard show, made and changed through the same services (roles, quota, audit). Options that would
 * reach the host ({@link ContainerOptions#refusal}) are refused before anything is made.
 */
@DockerController
class ContainerHandlers {

    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final ContainerAccess containers;
    private final DockerIds ids;
    private final JsonMapper json;
    private final SecureRandom random = new SecureRandom();

    ContainerHandlers(ContainerAccess containers, DockerIds ids, JsonMapper json) {
        this.containers = containers;
        this.ids = ids;
        this.json = json;
    }

    @PostMapping("/containers/create")
    ResponseEntity<Map<String, Object>> create(DockerCaller caller, @RequestParam(required = false) String name,
            @RequestBody(required = false) byte[] body) {
        caller.require(TeamRole.MEMBER, "create containers");
        JsonNode config;
        try {
            config = body == null || body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (RuntimeException e) {
            throw WharfException.invalid("the container's configuration is not JSON: " + e.getMessage());
        }
        ContainerAccess.Create request = ContainerOptions.request(config, name == null || name.isBlank() ? randomName() : name.strip());
        ContainerAccess.Info created = containers.create(caller.caller(), caller.team(), request);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("Id", DockerIds.dockerId(created.id()));
        answer.put("Warnings", List.of());
        return ResponseEntity.status(HttpStatus.CREATED).body(answer);
    }

    @GetMapping("/containers/json")
    List<Map<String, Object>> list(DockerCaller caller, @RequestParam(defaultValue = "false") String all,
            @RequestParam(required = false) String filters, @RequestParam(required = false) Integer limit) {
        Map<String, List<String>> wanted = ContainerOptions.filters(json, filters);
        boolean everything = truthy(all);
        List<Map<String, Object>> answer = new ArrayList<>();
        List<ContainerAccess.Info> listed = new ArrayList<>(containers.list(caller.caller(), caller.team()));
        listed.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        for (ContainerAccess.Info c : listed) {
            if (!everything && !"running".equals(dockerState(c)) && !wanted.containsKey("status")) {
                continue;
            }
            if (!ContainerOptions.matches(c, dockerState(c), DockerIds.dockerId(c.id()), wanted)) {
                continue;
            }
            answer.add(summary(c));
            if (limit != null && limit > 0 && answer.size() >= limit) {
                break;
            }
        }
        return answer;
    }

    @GetMapping("/containers/{ref}/json")
    Map<String, Object> inspect(DockerCaller caller, @PathVariable String ref) {
        return inspect(found(caller, ref));
    }

    @PostMapping("/containers/{ref}/start")
    ResponseEntity<Void> start(DockerCaller caller, @PathVariable String ref) {
        caller.require(TeamRole.MEMBER, "start containers");
        ContainerAccess.Info c = found(caller, ref);
        if ("running".equals(c.state())) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).build();
        }
        containers.start(caller.caller(), caller.team(), c.name());
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/containers/{ref}/stop")
    ResponseEntity<Void> stop(DockerCaller caller, @PathVariable String ref, @RequestParam(required = false) Integer t) {
        caller.require(TeamRole.MEMBER, "stop containers");
        ContainerAccess.Info c = found(caller, ref);
        if (!"running".equals(c.state()) && !"restarting".equals(c.state())) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).build();
        }
        containers.stop(caller.caller(), caller.team(), c.name(), t == null || t < 0 ? null : t);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/containers/{ref}/restart")
    ResponseEntity<Void> restart(DockerCaller caller, @PathVariable String ref, @RequestParam(required = false) Integer t) {
        caller.require(TeamRole.MEMBER, "restart containers");
        ContainerAccess.Info c = found(caller, ref);
        containers.restart(caller.caller(), caller.team(), c.name(), t == null || t < 0 ? null : t);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/containers/{ref}/kill")
    ResponseEntity<Void> kill(DockerCaller caller, @PathVariable String ref, @RequestParam(required = false) String signal) {
        caller.require(TeamRole.MEMBER, "kill containers");
        ContainerAccess.Info c = found(caller, ref);
        if (!"running".equals(c.state())) {
            throw WharfException.conflict("Container " + DockerIds.dockerId(c.id()) + " is not running");
        }
        containers.kill(caller.caller(), caller.team(), c.name(), signal == null || signal.isBlank() ? "KILL" : signal);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/containers/{ref}")
    ResponseEntity<Void> remove(DockerCaller caller, @PathVariable String ref, @RequestParam(defaultValue = "false") String force,
            @RequestParam(defaultValue = "false") String v) {
        caller.require(TeamRole.MEMBER, "remove containers");
        ContainerAccess.Info c = found(caller, ref);
        containers.delete(caller.caller(), caller.team(), c.name(), truthy(force));
        return ResponseEntity.noContent().build();
    }

    /** Answers when the container stops (condition not-running, the default, or next-exit) or is removed (removed). */
    @PostMapping("/containers/{ref}/wait")
    void await(DockerCaller caller, @PathVariable String ref, @RequestParam(defaultValue = "not-running") String condition,
            HttpServletResponse response) throws IOException {
        ContainerAccess.Info first = found(caller, ref);
        if (!List.of("not-running", "next-exit", "removed").contains(condition)) {
            throw WharfException.invalid("invalid condition: \"" + condition + "\"");
        }
        Instant finishedBefore = first.finishedAt();
        // the answer starts at once (docker run waits for it before it starts the container); JSON allows leading
        // white space, which is written now and then so that a wait whose client left ends
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        OutputStream out = response.getOutputStream();
        out.write('\n');
        response.flushBuffer();
        ContainerAccess.Info last = first;
        for (int round = 1; ; round++) {
            if (round % 25 == 0) {
                try {
                    out.write('\n');
                    response.flushBuffer();
                } catch (IOException clientLeft) {
                    return; // nobody waits any more (docker run -d leaves as soon as the container started)
                }
            }
            ContainerAccess.Info now;
            try {
                now = containers.get(caller.caller(), caller.team(), first.name());
            } catch (WharfException gone) {
                break;
            }
            if (!now.id().equals(first.id())) {
                break; // removed, and another took its name
            }
            last = now;
            boolean stopped = !"running".equals(now.state()) && !"restarting".equals(now.state()) && !"removing".equals(now.state());
            if (condition.equals("not-running") && stopped) {
                break;
            }
            if (condition.equals("next-exit") && stopped && now.finishedAt() != null && !now.finishedAt().equals(finishedBefore)) {
                break;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("StatusCode", last.exitCode() == null ? 0 : last.exitCode());
        answer.put("Error", null);
        out.write(json.writeValueAsBytes(answer));
        response.flushBuffer();
    }

    /**
     * The container's output in Docker's multiplexed framing: each line a frame of an 8-byte header (stream 1 stdout or
     * 2 stderr, three zero bytes, the length big-endian) and the line. {@code follow} streams until the container exits.
     */
    @GetMapping("/containers/{ref}/logs")
    void logs(DockerCaller caller, @PathVariable String ref,
            @RequestParam(defaultValue = "false") String follow, @RequestParam(defaultValue = "false") String stdout,
            @RequestParam(defaultValue = "false") String stderr, @RequestParam(required = false) String since,
            @RequestParam(required = false) String until, @RequestParam(defaultValue = "false") String timestamps,
            @RequestParam(defaultValue = "all") String tail, HttpServletResponse response) throws IOException {
        ContainerAccess.Info c = found(caller, ref);
        boolean out = truthy(stdout);
        boolean err = truthy(stderr);
        if (!out && !err) {
            throw WharfException.invalid("you must choose at least one stream");
        }
        Integer lines = null;
        if (!tail.isBlank() && !tail.equals("all")) {
            try {
                lines = Math.max(0, Integer.parseInt(tail.strip()));
            } catch (NumberFormatException e) {
                throw WharfException.invalid("tail must be a number or \"all\", got \"" + tail + "\"");
            }
        }
        Instant from = ContainerOptions.time("since", since);
        Instant to = ContainerOptions.time("until", until);
        boolean stamped = truthy(timestamps);
        Stream<LogLine> stream = containers.logs(caller.caller(), caller.team(), c.name(), from, lines, truthy(follow));
        // written here, not as an asynchronous body: each frame reaches the client when it is flushed
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/vnd.docker.multiplexed-stream");
        OutputStream target = response.getOutputStream();
        response.flushBuffer();
        try (stream) {
            for (LogLine line : (Iterable<LogLine>) stream::iterator) {
                if (to != null && line.time().isAfter(to)) {
                    break;
                }
                boolean isErr = line.stream() == LogLine.Stream.STDERR;
                if (isErr ? !err : !out) {
                    continue;
                }
                String text = (stamped ? line.time() + " " : "") + line.text() + "\n";
                frame(target, isErr ? 2 : 1, text.getBytes(StandardCharsets.UTF_8));
                response.flushBuffer();
            }
        }
    }

    private static void frame(OutputStream target, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) stream, 0, 0, 0, (byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length};
        target.write(header);
        target.write(payload);
    }

    private ContainerAccess.Info found(DockerCaller caller, String ref) {
        DockerIds.ContainerRef c = ids.container(caller, ref);
        return containers.get(caller.caller(), caller.team(), c.name());
    }

    static boolean truthy(String value) {
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    /** Docker's states: created, running, restarting, removing, exited; one the platform lost is dead. */
    static String dockerState(ContainerAccess.Info c) {
        return switch (c.state()) {
            case "created", "running", "restarting", "removing", "exited" -> c.state();
            default -> "dead";
        };
    }

    private static String status(ContainerAccess.Info c) {
        Instant now = Instant.now();
        return switch (dockerState(c)) {
            case "running" -> "Up " + human(Duration.between(c.startedAt() == null ? now : c.startedAt(), now));
            case "created" -> "Created";
            case "restarting" -> "Restarting (" + (c.exitCode() == null ? 0 : c.exitCode()) + ")";
            case "removing" -> "Removal In Progress";
            case "exited" -> "Exited (" + (c.exitCode() == null ? 0 : c.exitCode()) + ") "
                    + human(Duration.between(c.finishedAt() == null ? now : c.finishedAt(), now)) + " ago";
            default -> "Dead";
        };
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return "Less than a second";
        }
        if (s < 60) {
            return s + " second" + (s == 1 ? "" : "s");
        }
        if (s < 3600) {
            return s / 60 + " minute" + (s / 60 == 1 ? "" : "s");
        }
        if (s < 172_800) {
            return s / 3600 + " hour" + (s / 3600 == 1 ? "" : "s");
        }
        return s / 86_400 + " days";
    }

    private static List<String> process(ContainerAccess.Info c) {
        List<String> all = new ArrayList<>();
        if (c.entrypoint() != null) {
            all.addAll(c.entrypoint());
        }
        if (c.command() != null) {
            all.addAll(c.command());
        }
        return all;
    }

    private Map<String, Object> summary(ContainerAccess.Info c) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Id", DockerIds.dockerId(c.id()));
        s.put("Names", List.of("/" + c.name()));
        s.put("Image", c.image());
        s.put("ImageID", c.imageDigest() == null ? "" : c.imageDigest());
        s.put("Command", String.join(" ", process(c)));
        s.put("Created", c.createdAt().getEpochSecond());
        s.put("Ports", List.of());
        s.put("Labels", c.labels());
        s.put("State", dockerState(c));
        s.put("Status", status(c));
        s.put("HostConfig", Map.of("NetworkMode", networkMode(c)));
        s.put("NetworkSettings", Map.of("Networks", networks(c)));
        s.put("Mounts", List.of());
        return s;
    }

    private static String networkMode(ContainerAccess.Info c) {
        return "none".equals(c.network()) ? "none" : "bridge";
    }

    private static Map<String, Object> networks(ContainerAccess.Info c) {
        if ("none".equals(c.network())) {
            return Map.of();
        }
        Map<String, Object> network = new LinkedHashMap<>();
        network.put("IPAddress", c.ipAddress() == null ? "" : c.ipAddress());
        network.put("Aliases", List.of(c.name()));
        return Map.of("bridge", network);
    }

    private Map<String, Object> inspect(ContainerAccess.Info c) {
        String state = dockerState(c);
        Map<String, Object> stateView = new LinkedHashMap<>();
        stateView.put("Status", state);
        stateView.put("Running", state.equals("running") || state.equals("restarting"));
        stateView.put("Paused", false);
        stateView.put("Restarting", state.equals("restarting"));
        stateView.put("OOMKilled", c.oomKilled());
        stateView.put("Dead", state.equals("dead"));
        stateView.put("Pid", 0);
        stateView.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        stateView.put("Error", c.reason() == null || state.equals("running") ? "" : c.reason());
        stateView.put("StartedAt", c.startedAt() == null ? ZERO_TIME : c.startedAt().toString());
        stateView.put("FinishedAt", c.finishedAt() == null ? ZERO_TIME : c.finishedAt().toString());
        if (c.healthStatus() != null) {
            stateView.put("Health", Map.of("Status", c.healthStatus(), "FailingStreak", c.healthFailingStreak(), "Log", List.of()));
        }
        List<String> process = process(c);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", c.id().substring(0, 12));
        config.put("User", c.user() == null ? "" : c.user());
        config.put("Tty", false);
        config.put("OpenStdin", false);
        config.put("Env", c.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        config.put("Cmd", c.command());
        config.put("Entrypoint", c.entrypoint());
        config.put("Image", c.image());
        config.put("WorkingDir", c.workingDir() == null ? "" : c.workingDir());
        config.put("Labels", c.labels());
        config.put("StopTimeout", c.stopTimeout());
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", networkMode(c));
        host.put("Privileged", false);
        host.put("Memory", c.memoryBytes() == null ? 0 : c.memoryBytes());
        host.put("NanoCpus", c.cpus() == null ? 0 : Math.round(c.cpus() * 1e9));
        host.put("PidsLimit", c.pids() == null ? 0 : c.pids());
        String policy = c.restartPolicy();
        int colon = policy.indexOf(':');
        host.put("RestartPolicy", Map.of("Name", colon < 0 ? policy : policy.substring(0, colon), "MaximumRetryCount",
                colon < 0 ? 0 : Integer.parseInt(policy.substring(colon + 1))));
        host.put("Init", c.init());
        host.put("ReadonlyRootfs", c.readOnlyRootfs());
        host.put("AutoRemove", false);
        Map<String, Object> networkSettings = new LinkedHashMap<>();
        networkSettings.put("IPAddress", c.ipAddress() == null ? "" : c.ipAddress());
        networkSettings.put("Ports", Map.of());
        networkSettings.put("Networks", networks(c));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", DockerIds.dockerId(c.id()));
        view.put("Created", c.createdAt().toString());
        view.put("Path", process.isEmpty() ? "" : process.get(0));
        view.put("Args", process.isEmpty() ? List.of() : process.subList(1, process.size()));
        view.put("State", stateView);
        view.put("Image", c.imageDigest() == null ? "" : c.imageDigest());
        view.put("Name", "/" + c.name());
        view.put("RestartCount", c.restartCount());
        view.put("Platform", "linux");
        view.put("HostConfig", host);
        view.put("Config", config);
        view.put("NetworkSettings", networkSettings);
        view.put("Mounts", List.of());
        return view;
    }

    /** A name for a container created without one: a DNS label, like every name on a team network. */
    private String randomName() {
        byte[] bytes = new byte[5];
        random.nextBytes(bytes);
        return "c-" + HexFormat.of().formatHex(bytes).toLowerCase(Locale.ROOT);
    }
}
