package dev.wharf.platform.workload;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.Labels;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1/teams/{team}/containers")
@Tag(name = "Containers", description = "A team's containers: create, lifecycle, logs, stats, exec")
class ContainerController {

    private static final ExecutorService FOLLOWERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "log-follow");
        thread.setDaemon(true);
        return thread;
    });

    /** how often a followed log that says nothing is written an SSE comment, to notice a client that left */
    static final long HEARTBEAT_SECONDS = 5;
    private static final java.util.concurrent.ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "log-follow-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    private static final int SPECS_CACHED = 20_000;
    private static final int ANSWERS_KEPT = 64;
    private static final long ANSWER_BYTES_KEPT = 64L << 20;

    private final ContainerManagement containers;
    /** the mapper Spring MVC writes answers with, so a list written from cached rows reads exactly as one written whole */
    private final JsonMapper answers;
    /** parsed stored specs by container id (see {@link #storedSpec}); ids of deleted containers age out */
    private final Cache<String, ContainerManagement.StoredSpec> specs = bounded().maximumSize(SPECS_CACHED).build();
    /** list entries as written JSON, by container id (see {@link #listEntry}) */
    private final Cache<String, ListEntry> listed = bounded().maximumSize(SPECS_CACHED).build();
    /**
     * the last answer to each list ("team/project"), with the keys it was made for (see {@link #list}): at most
     * {@value #ANSWERS_KEPT} lists and {@value #ANSWER_BYTES_KEPT} bytes (each answer weighs at least its share of the bytes)
     */
    private final Cache<String, Answer> answered = bounded().maximumWeight(ANSWER_BYTES_KEPT)
            .weigher((String list, Answer answer) -> (int) Math.max(answer.body().length, ANSWER_BYTES_KEPT / ANSWERS_KEPT)).build();

    ContainerController(ContainerManagement containers, JsonMapper answers) {
        this.containers = containers;
        this.answers = answers;
    }

    /** Evicts on the caller's thread, so that a cache is never over its bound, even for a moment. */
    private static Caffeine<Object, Object> bounded() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }

    /**
     * One container's view as the list writes it, with what it was made of: the row's version (bumped by
     * every write of the row), its measured layer size (written without a version bump) and its project's name.
     */
    private record ListEntry(long version, long writableBytes, String project, byte[] json) {
    }

    /** A list's answer and the keys and project names it was made for. */
    private record Answer(ContainerManagement.Listing listing, byte[] body) {
    }

    record ResourcesView(Double cpus, Long memory, Long pids) {
    }

    /** The request's spec plus what the platform knows of the container now. */
    record ContainerView(String id, String name, String image, String imageDigest, List<String> command, Map<String, String> env,
            String workingDir, String user, String project, ResourcesView resources, String restartPolicy, String desiredState,
            String state, String reason, Integer exitCode, boolean oomKilled, int restartCount, Instant createdAt, Instant startedAt,
            Instant finishedAt, String node, List<ContainerRequest.VolumeRequest> volumes, String network,
            List<ContainerRequest.PortRequest> ports, String ipAddress, long writableBytes, ContainerManagement.PullView pull,
            List<String> entrypoint, Map<String, String> labels, ContainerRequest.HealthcheckRequest healthcheck, int stopTimeout,
            boolean init, List<ContainerRequest.TmpfsRequest> tmpfs, boolean readOnlyRootfs, HealthView health) {
    }

    /** What the container's health check found since its last start; null without a health check. */
    @Schema(description = "What the container's health check found since its last start (null without one): status starting,"
            + " healthy or unhealthy; failingStreak, probes failed in a row; log, the last 5 probes, oldest first, each"
            + " {start, end, exitCode (-1: timed out or could not run), output (the end of stdout and stderr)}")
    record HealthView(String status, int failingStreak, List<Health.Probe> log) {
    }

    record ExecRequest(@NotEmpty List<String> command, Integer timeoutSeconds) {
    }

    ContainerView view(Container c) {
        return view(c, containers.projectName(c));
    }

    ContainerView view(Container c, String project) {
        ContainerManagement.StoredSpec spec = storedSpec(c);
        return new ContainerView(c.getId(), c.getName(), c.getImage(), c.getImageDigest(), spec.command(), spec.env(), spec.workingDir(),
                spec.user(), project, new ResourcesView(c.getCpus(), c.getMemoryBytes(), c.getPids()),
                c.getRestartPolicy().toString(), c.getDesiredState().value(), c.getState().value(), c.getStateReason(), c.getExitCode(),
                c.isOomKilled(), c.getRestartCount(), c.getCreatedAt(), c.getStartedAt(), c.getFinishedAt(), c.getNode(),
                spec.volumes() == null ? List.of() : spec.volumes(), spec.network() == null ? "none" : spec.network(),
                spec.ports() == null ? List.of() : spec.ports(), c.getIpAddress(), c.getWritableBytes(), containers.pullOf(c).orElse(null),
                spec.entrypoint(), spec.labelsOrNone(), spec.healthcheck(), spec.stopTimeoutOrDefault(), Boolean.TRUE.equals(spec.init()),
                spec.tmpfs() == null ? List.of() : spec.tmpfs(), Boolean.TRUE.equals(spec.readOnlyRootfs()), health(c));
    }

    private HealthView health(Container c) {
        if (c.getHealthStatus() == null) {
            return null;
        }
        return new HealthView(c.getHealthStatus(), c.getHealthFailingStreak(), HealthColumns.read(c.getHealthLog(), answers));
    }

    /** The container's stored spec, parsed once: it never changes, and a list would parse every row's on every request. */
    private ContainerManagement.StoredSpec storedSpec(Container c) {
        return specs.get(c.getId(), id -> answers.readValue(c.getSpec(), ContainerManagement.StoredSpec.class));
    }

    /**
     * The answer is written whole, with its length (the bytes Spring MVC would write for the view): the client
     * has it as soon as it is sent, while the request's audit event is written (readers of the audit log
     * wait for that event).
     */
    @PostMapping
    @Operation(summary = "Create (and by default start) a container; pulls its image when the node lacks it. "
            + "403 quota-exceeded when the team's quota would be passed")
    @ApiResponse(responseCode = "201", description = "The container", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = ContainerView.class)))
    @ApiResponse(responseCode = "503", description = "The node cannot run it now, e.g. it lacks the init that init: true needs")
    ResponseEntity<byte[]> create(Caller caller, @PathVariable String team, @Valid @RequestBody ContainerRequest body) {
        Container created = containers.create(caller, team, body);
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team + "/containers/" + created.getName()))
                .contentType(MediaType.APPLICATION_JSON).body(answers.writeValueAsBytes(view(created)));
    }

    /**
     * The list is written from cached JSON (a team may have 1,000 containers, and a dashboard asks every
     * few seconds): the same bytes Spring MVC writes for the list of views. The keys are read each time;
     * when they and their projects' names are those of the last answer to this list (and no pull is in
     * progress here), that answer is written again; otherwise it is made from each container's cached
     * entry, reading whole only the rows whose entry no longer holds. A list filtered by label is made
     * from the entries of the keys whose labels match, and never remembered as a list's answer: only
     * unfiltered lists are, so neither is ever written for the other.
     */
    @GetMapping
    @Operation(summary = "The team's containers, optionally of one project; ?label= keeps those with that label")
    @Parameter(name = "label", in = ParameterIn.QUERY, description = Labels.FILTER_DESCRIPTION,
            array = @ArraySchema(schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "200", description = "The containers, by name", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            array = @ArraySchema(schema = @Schema(implementation = ContainerView.class))))
    void list(Caller caller, @PathVariable String team, @RequestParam(required = false) String project, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        List<String> filters = Labels.filters(request);
        ContainerManagement.Listing listing = containers.listing(caller, team, project);
        byte[] body;
        if (!filters.isEmpty()) {
            body = body(null, matching(listing, filters));
        } else {
            String list = team + "/" + (project == null ? "" : project);
            Answer last = answered.getIfPresent(list);
            if (last != null && last.listing().equals(listing) && !containers.anyPulling()) {
                body = last.body();
            } else {
                body = body(list, listing);
            }
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * The listing's keys whose containers' labels match the filters. Labels are part of the stored spec, which never
     * changes: the cached specs answer, and only the rows of containers not seen yet are read (those deleted since
     * the keys were read drop out).
     */
    private ContainerManagement.Listing matching(ContainerManagement.Listing listing, List<String> filters) {
        Map<String, ContainerManagement.StoredSpec> known = new java.util.HashMap<>();
        List<String> unknown = new java.util.ArrayList<>();
        for (Container.Key key : listing.keys()) {
            ContainerManagement.StoredSpec spec = specs.getIfPresent(key.id());
            if (spec != null) {
                known.put(key.id(), spec);
            } else {
                unknown.add(key.id());
            }
        }
        if (!unknown.isEmpty()) {
            containers.rows(unknown).values().forEach(row -> known.put(row.getId(), storedSpec(row)));
        }
        List<Container.Key> keys = listing.keys().stream()
                .filter(key -> known.containsKey(key.id()) && Labels.match(known.get(key.id()).labelsOrNone(), filters)).toList();
        return new ContainerManagement.Listing(keys, listing.projectNames());
    }

    /**
     * The list's JSON from the entries that still hold and the rows of the others, read whole; remembered as the
     * answer to {@code list} (null: never) only when every entry held (a row read after the keys may be newer than its key).
     */
    private byte[] body(String list, ContainerManagement.Listing listing) {
        List<Container.Key> keys = listing.keys();
        byte[][] entries = new byte[keys.size()][];
        List<String> missing = new java.util.ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            ListEntry entry = cached(keys.get(i), listing.projectNames().get(keys.get(i).projectId()));
            if (entry != null) {
                entries[i] = entry.json();
            } else {
                missing.add(keys.get(i).id());
            }
        }
        Map<String, Container> rows = missing.isEmpty() ? Map.of() : containers.rows(missing);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(keys.size() * 700 + 2);
        out.write('[');
        boolean first = true;
        for (int i = 0; i < entries.length; i++) {
            byte[] json = entries[i];
            if (json == null) {
                Container row = rows.get(keys.get(i).id());
                if (row == null) {
                    continue; // deleted between the two reads
                }
                json = listEntry(row, listing.projectNames().get(keys.get(i).projectId()));
            }
            if (!first) {
                out.write(',');
            }
            out.write(json, 0, json.length);
            first = false;
        }
        out.write(']');
        byte[] body = out.toByteArray();
        if (list != null && missing.isEmpty()) {
            answered.put(list, new Answer(listing, body));
        }
        return body;
    }

    /** The cached view of a list entry if it still holds: same version, layer size and project, and no pull in progress. */
    private ListEntry cached(Container.Key key, String projectName) {
        ListEntry cached = listed.getIfPresent(key.id());
        boolean holds = cached != null && cached.version() == key.version() && cached.writableBytes() == key.writableBytes()
                && java.util.Objects.equals(cached.project(), projectName) && !containers.isPulling(key.id());
        return holds ? cached : null;
    }

    /** The container's view as JSON, kept for the next list unless a pull's progress is part of it. */
    private byte[] listEntry(Container row, String project) {
        ContainerView view = view(row, project);
        byte[] json = answers.writeValueAsBytes(view);
        if (view.pull() == null) {
            listed.put(row.getId(), new ListEntry(row.getVersion(), row.getWritableBytes(), project, json));
        }
        return json;
    }

    @GetMapping("/{name}")
    @Operation(summary = "One container, with what its health check found")
    ContainerView get(Caller caller, @PathVariable String team, @PathVariable String name) {
        return view(containers.get(caller, team, name));
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a container (force=true kills a running one at once, like docker rm -f)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable String team, @PathVariable String name,
            @RequestParam(defaultValue = "false") boolean force) {
        containers.delete(caller, team, name, force);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/start")
    @Operation(summary = "Start a created or exited container")
    ContainerView start(Caller caller, @PathVariable String team, @PathVariable String name) {
        return view(containers.start(caller, team, name));
    }

    @PostMapping("/{name}/stop")
    @Operation(summary = "Stop: the stop signal, then KILL after the timeout (seconds; default the container's stopTimeout)")
    ContainerView stop(Caller caller, @PathVariable String team, @PathVariable String name,
            @Parameter(description = "seconds to wait before KILL, 0 to 3600; default the container's stopTimeout")
            @RequestParam(required = false) Integer timeout) {
        return view(containers.stop(caller, team, name, stopTimeout(timeout)));
    }

    @PostMapping("/{name}/restart")
    @Operation(summary = "Stop (as /stop), then start")
    ContainerView restart(Caller caller, @PathVariable String team, @PathVariable String name,
            @Parameter(description = "seconds to wait before KILL, 0 to 3600; default the container's stopTimeout")
            @RequestParam(required = false) Integer timeout) {
        return view(containers.restart(caller, team, name, stopTimeout(timeout)));
    }

    /** A stop's {@code timeout} parameter, held to 0 … {@value ContainerRequestValidation#MAX_STOP_TIMEOUT} s; null: the container's own. */
    static Duration stopTimeout(Integer seconds) {
        return seconds == null ? null
                : Duration.ofSeconds(Math.max(0, Math.min(seconds, ContainerRequestValidation.MAX_STOP_TIMEOUT)));
    }

    @PostMapping("/{name}/kill")
    @Operation(summary = "Send a signal (default KILL) to the container's processes")
    ResponseEntity<Void> kill(Caller caller, @PathVariable String team, @PathVariable String name,
            @RequestParam(defaultValue = "KILL") String signal) {
        containers.kill(caller, team, name, signal);
        return ResponseEntity.noContent().build();
    }

    @GetMapping(value = "/{name}/logs", produces = {MediaType.TEXT_PLAIN_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "The container's output as text; follow=true streams it as server-sent events")
    Object logs(Caller caller, @PathVariable String team, @PathVariable String name,
            @Parameter(description = "only the last n lines") @RequestParam(required = false) Integer tail,
            @Parameter(description = "RFC 3339 time; only lines at or after it") @RequestParam(required = false) Instant since,
            @RequestParam(defaultValue = "false") boolean follow, @RequestParam(defaultValue = "false") boolean timestamps) {
        if (tail != null && tail < 0) {
            throw dev.wharf.platform.web.WharfException.invalidField("tail", "tail must not be negative");
        }
        Stream<LogLine> lines = containers.logs(caller, team, name, new LogQuery(since, tail, follow));
        if (!follow) {
            // a log is capped at wharf.runtime.log-max-bytes, so it fits in one answer
            StringBuilder text = new StringBuilder();
            try (lines) {
                lines.forEach(line -> text.append(format(line, timestamps)).append('\n'));
            }
            return ResponseEntity.ok().contentType(new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8))
                    .body(text.toString());
        }
        SseEmitter emitter = new SseEmitter(0L);
        java.util.concurrent.Future<?> follower = FOLLOWERS.submit(() -> {
            try (lines) {
                for (LogLine line : (Iterable<LogLine>) lines::iterator) {
                    emitter.send(SseEmitter.event().name(line.stream().name().toLowerCase()).data(format(line, timestamps)));
                }
                emitter.send(SseEmitter.event().name("end").data("container exited"));
                emitter.complete();
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
            }
        });
        // a client that left is noticed only when a write to it fails: a quiet log is written a comment
        // now and then, so that its session (SessionLimits) and its follower end soon after the client
        java.util.concurrent.ScheduledFuture<?> heartbeat = HEARTBEATS.scheduleWithFixedDelay(() -> {
            try {
                emitter.send(SseEmitter.event().comment("still following"));
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        Runnable end = () -> {
            heartbeat.cancel(false);
            follower.cancel(true);
            lines.close();
        };
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(e -> end.run());
        return emitter;
    }

    private static String format(LogLine line, boolean timestamps) {
        return timestamps ? line.time() + " " + line.text() : line.text();
    }

    @GetMapping("/{name}/stats")
    @Operation(summary = "CPU seconds, memory and its limit, processes and OOM kills, from the container's cgroup")
    ContainerStats stats(Caller caller, @PathVariable String team, @PathVariable String name) {
        return containers.stats(caller, team, name);
    }

    @PostMapping("/{name}/exec")
    @Operation(summary = "Run a command in the running container and wait for it", description = "stdout and stderr keep at most "
            + "1 MiB each: a command that prints more is killed at once (exit code 137) and the answer says truncated: true. "
            + "Execs, terminals and followed logs open at once are limited per user and per team (429 when over).")
    ExecResultView exec(Caller caller, @PathVariable String team, @PathVariable String name, @Valid @RequestBody ExecRequest body) {
        ExecResult result = containers.exec(caller, team, name, body.command(), body.timeoutSeconds());
        return new ExecResultView(result.exitCode(), result.stdout(), result.stderr(), result.timedOut(), result.truncated());
    }

    /** @param truncated whether the command printed more than 1 MiB on stdout or stderr and was killed for it */
    record ExecResultView(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {
    }
}
