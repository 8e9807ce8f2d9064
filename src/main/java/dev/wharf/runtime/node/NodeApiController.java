package dev.wharf.runtime.node;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.runtime.wire.PullRequest;
import dev.wharf.runtime.wire.VolumeRequest;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The runtime service of this node over HTTP ({@code /node/v1}), for its control plane's
 * {@code runtime.remote.RemoteRuntime}: JSON in and out, errors as {@code {"kind","message"}} with a status per
 * kind ({@link NodeErrors}); logs, events and pulls as newline-delimited JSON streams. Only in
 * {@code node} mode, behind the node credential ({@link NodeSecurityConfiguration}).
 */
@RestController
@RequestMapping("/node/v1")
@ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
class NodeApiController implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NodeApiController.class);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(10);

    private final RuntimeService runtime;
    private final ExecutorService pumps = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "node-stream");
        thread.setDaemon(true);
        return thread;
    });

    /** The queues of the streams now open: ended when the node shuts down, so it need not wait for them. */
    private final java.util.Set<BlockingQueue<Object>> openStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();

    NodeApiController(RuntimeService runtime) {
        this.runtime = runtime;
    }

    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void endStreams() {
        RuntimeFailure closing = new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "the node is shutting down");
        openStreams.forEach(queue -> {
            queue.clear();
            queue.offer(closing);
        });
    }

    /** Writes what the queue delivers until it ends, the caller hangs up or the node shuts down. */
    private void drain(ServletOutputStream out, BlockingQueue<Object> queue) {
        openStreams.add(queue);
        try {
            NdjsonResponse.drain(out, queue, KEEP_ALIVE);
        } finally {
            openStreams.remove(queue);
        }
    }

    @Override
    public void destroy() {
        pumps.shutdownNow();
    }

    @GetMapping("/status")
    ResponseEntity<byte[]> status() {
        return json(HttpStatus.OK, runtime.status());
    }

    @PutMapping("/teams/{team}/limits")
    ResponseEntity<byte[]> applyTeamLimits(@PathVariable long team, @RequestBody byte[] body) {
        TeamLimits limits = NodeJson.read(body, TeamLimits.class);
        if (limits.teamId() != team) {
            throw RuntimeFailure.invalid("limits for team " + limits.teamId() + " sent to team " + team);
        }
        runtime.applyTeamLimits(limits);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/teams/{team}")
    ResponseEntity<byte[]> removeTeam(@PathVariable long team) {
        runtime.removeTeam(team);
        return ResponseEntity.noContent().build();
    }

    /**
     * Creates a container from an image already on the node. A {@code directory} root filesystem
     * (a path on this host) is refused with 400: the control plane only ever sends images, and a
     * host directory would run as the team's root over whatever the caller names.
     */
    @PostMapping("/containers")
    ResponseEntity<byte[]> create(@RequestBody byte[] body) {
        ContainerSpec spec = NodeJson.read(body, ContainerSpec.class);
        if (!(spec.rootfs() instanceof Rootfs.Image)) {
            throw RuntimeFailure.invalid("a node creates containers from images only: a directory root filesystem is refused");
        }
        return json(HttpStatus.CREATED, runtime.create(spec));
    }

    @GetMapping("/containers")
    ResponseEntity<byte[]> list() {
        return json(HttpStatus.OK, runtime.list());
    }

    @GetMapping("/containers/{id}")
    ResponseEntity<byte[]> inspect(@PathVariable String id) {
        return json(HttpStatus.OK, runtime.inspect(id));
    }

    @PostMapping("/containers/{id}/start")
    ResponseEntity<byte[]> start(@PathVariable String id) {
        return json(HttpStatus.OK, runtime.start(id));
    }

    @PostMapping("/containers/{id}/stop")
    ResponseEntity<byte[]> stop(@PathVariable String id, @RequestParam(defaultValue = "PT10S") String timeout) {
        return json(HttpStatus.OK, runtime.stop(id, duration("timeout", timeout)));
    }

    @PostMapping("/containers/{id}/kill")
    ResponseEntity<byte[]> kill(@PathVariable String id, @RequestParam(defaultValue = "KILL") String signal) {
        runtime.kill(id, signal);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/containers/{id}")
    ResponseEntity<byte[]> remove(@PathVariable String id, @RequestParam(defaultValue = "false") boolean force) {
        runtime.remove(id, force);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/containers/{id}/stats")
    ResponseEntity<byte[]> stats(@PathVariable String id) {
        return json(HttpStatus.OK, runtime.stats(id));
    }

    @GetMapping("/containers/{id}/writable-bytes")
    ResponseEntity<byte[]> writableBytes(@PathVariable String id) {
        return json(HttpStatus.OK, Map.of("bytes", runtime.writableBytes(id)));
    }

    @PostMapping("/containers/{id}/exec")
    ResponseEntity<byte[]> exec(@PathVariable String id, @RequestBody byte[] body) {
        return json(HttpStatus.OK, runtime.exec(id, NodeJson.read(body, ExecSpec.class)));
    }

    /** The container's log lines, one JSON object per line; with {@code follow} until the container has exited. */
    @GetMapping("/containers/{id}/logs")
    void logs(@PathVariable String id, @RequestParam(required = false) String since, @RequestParam(required = false) Integer tail,
            @RequestParam(defaultValue = "false") boolean follow, HttpServletResponse response) throws IOException {
        Instant from = null;
        if (since != null && !since.isBlank()) {
            try {
                from = Instant.parse(since);
            } catch (DateTimeParseException e) {
                throw RuntimeFailure.invalid("since must be an ISO-8601 instant, got " + since);
            }
        }
        Stream<LogLine> lines = runtime.logs(id, new LogQuery(from, tail, follow));
        ServletOutputStream out;
        try {
            out = NdjsonResponse.open(response);
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(256);
        Future<?> pump = pumps.submit(() -> {
            try (lines) {
                var iterator = lines.iterator();
                while (iterator.hasNext()) {
                    queue.put(iterator.next());
                }
                queue.put(NdjsonResponse.END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    queue.offer(failure("logs of " + id, e));
                }
            }
        });
        try {
            drain(out, queue);
        } finally {
            pump.cancel(true);
        }
    }

    /** Every runtime event from now on, one JSON object per line, until the caller hangs up. */
    @GetMapping("/events")
    void events(HttpServletResponse response) throws Exception {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = runtime.subscribe(queue::offer)) {
            ServletOutputStream out = NdjsonResponse.open(response);
            drain(out, queue);
        }
    }

    /**
     * Pulls an image: {@code {"progress":…}} lines as layers arrive, then {@code {"image":…}} or
     * {@code {"error":{"kind","message"}}}.
     */
    @PostMapping("/teams/{team}/images/pull")
    void pull(@PathVariable long team, @RequestBody byte[] body, HttpServletResponse response) throws IOException {
        PullRequest request = NodeJson.read(body, PullRequest.class);
        if (request.reference() == null || request.reference().isBlank()) {
            throw RuntimeFailure.invalid("a pull needs a reference");
        }
        ServletOutputStream out = NdjsonResponse.open(response);
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
        Future<?> pump = pumps.submit(() -> {
            try {
                RegistryCredentials login = request.credentials();
                ImageInfo image = runtime.pullImage(team, request.reference(), registry -> login,
                        progress -> queue.offer(Map.of("progress", progress)));
                queue.put(Map.of("image", image));
                queue.put(NdjsonResponse.END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                try {
                    queue.put(failure("pull " + request.reference(), e));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            drain(out, queue);
        } finally {
            pump.cancel(true);
        }
    }

    /** Imports an image archive for the team, sent as the raw request body. */
    @PostMapping("/teams/{team}/images/import")
    ResponseEntity<byte[]> importImage(@PathVariable long team, HttpServletRequest request) throws IOException {
        return json(HttpStatus.CREATED, runtime.importImage(team, request.getInputStream()));
    }

    @GetMapping("/teams/{team}/images")
    ResponseEntity<byte[]> images(@PathVariable long team) {
        return json(HttpStatus.OK, runtime.images(team));
    }

    @GetMapping("/teams/{team}/images/{digest}")
    ResponseEntity<byte[]> image(@PathVariable long team, @PathVariable String digest) {
        return json(HttpStatus.OK, runtime.image(team, digest));
    }

    @DeleteMapping("/teams/{team}/images/{digest}")
    ResponseEntity<byte[]> removeImage(@PathVariable long team, @PathVariable String digest) {
        runtime.removeImage(team, digest);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/teams/{team}/volumes")
    ResponseEntity<byte[]> createVolume(@PathVariable long team, @RequestBody byte[] body) {
        VolumeRequest request = NodeJson.read(body, VolumeRequest.class);
        return json(HttpStatus.CREATED, runtime.createVolume(team, request.name(), request.sizeBytes()));
    }

    @GetMapping("/teams/{team}/volumes")
    ResponseEntity<byte[]> volumes(@PathVariable long team) {
        return json(HttpStatus.OK, runtime.volumes(team));
    }

    @DeleteMapping("/teams/{team}/volumes/{name}")
    ResponseEntity<byte[]> removeVolume(@PathVariable long team, @PathVariable String name) {
        runtime.removeVolume(team, name);
        return ResponseEntity.noContent().build();
    }

    static ResponseEntity<byte[]> json(HttpStatus status, Object body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(NodeJson.write(body));
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw RuntimeFailure.invalid(name + " must be an ISO-8601 duration (PT10S), got " + value);
        }
    }

    private static RuntimeFailure failure(String what, RuntimeException e) {
        if (e instanceof RuntimeFailure failure) {
            return failure;
        }
        log.error("{} failed", what, e);
        return new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, what + ": " + e.getMessage(), e);
    }
}
