package dev.wharf.runtime.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapping of the node protocol, shared by the node's endpoints ({@code runtime.node})
 * and the control plane's client of them ({@code runtime.remote}): the contract's records as they
 * are, times and durations as ISO-8601 strings, and a {@code type} property on the sealed
 * {@link Rootfs} and {@link RuntimeEvent} (added by mix-ins, so {@code runtime.api} stays plain
 * Java). Unknown properties are ignored, so a node and a control plane one version apart still
 * understand each other.
 */
public final class NodeJson {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .addMixIn(Rootfs.class, RootfsMixIn.class)
            .addMixIn(RuntimeEvent.class, RuntimeEventMixIn.class)
            .build();

    private NodeJson() {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Rootfs.Image.class, name = "image"),
            @JsonSubTypes.Type(value = Rootfs.Directory.class, name = "directory")})
    interface RootfsMixIn {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = RuntimeEvent.ContainerStarted.class, name = "started"),
            @JsonSubTypes.Type(value = RuntimeEvent.ContainerExited.class, name = "exited"),
            @JsonSubTypes.Type(value = RuntimeEvent.ContainerOomKilled.class, name = "oom-killed"),
            @JsonSubTypes.Type(value = RuntimeEvent.ContainerHealthChanged.class, name = "health")})
    interface RuntimeEventMixIn {
    }

    public static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static <T> T read(byte[] body, Class<T> type) {
        try {
            return MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw badBody(e);
        }
    }

    /**
     * A body that does not read: the contract's own validation (a record constructor throwing
     * {@link RuntimeFailure}) keeps its kind and message; anything else is an invalid argument.
     */
    public static RuntimeFailure badBody(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RuntimeFailure failure) {
                return failure;
            }
        }
        String detail = e instanceof JacksonException json ? json.getOriginalMessage() : e.getMessage();
        return RuntimeFailure.invalid("request body does not read: " + detail);
    }

    /** The last line of a stream that failed: {@code {"error":{"kind","message"}}}. */
    public static Map<String, Object> error(RuntimeFailure failure) {
        return Map.of("error", WireFailure.of(failure));
    }
}
