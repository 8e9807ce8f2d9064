package dev.wharf.runtime.agent;

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
 * The one JSON mapping of the node protocol, shared by the agent's endpoints and
 * {@link RemoteRuntime}: the contract's records as they are, times and durations as ISO-8601
 * strings, and a {@code type} property on the sealed {@link Rootfs} and {@link RuntimeEvent}
 * (added by mix-ins, so {@code runtime.api} stays plain Java). Unknown properties are ignored, so a
 * node and a control plane one version apart still understand each other.
 */
final class AgentJson {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .addMixIn(Rootfs.class, RootfsMixIn.class)
            .addMixIn(RuntimeEvent.class, RuntimeEventMixIn.class)
            .build();

    private AgentJson() {
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
            @JsonSubTypes.Type(value = RuntimeEvent.ContainerOomKilled.class, name = "oom-killed")})
    interface RuntimeEventMixIn {
    }

    /** The error body of the protocol: {@code {"kind":"NOT_FOUND","message":"…"}}. */
    record Failure(String kind, String message) {

        static Failure of(RuntimeFailure failure) {
            return new Failure(failure.kind().name(), failure.getMessage());
        }
    }

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    static <T> T read(byte[] body, Class<T> type) {
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
    static RuntimeFailure badBody(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RuntimeFailure failure) {
                return failure;
            }
        }
        String detail = e instanceof JacksonException json ? json.getOriginalMessage() : e.getMessage();
        return RuntimeFailure.invalid("request body does not read: " + detail);
    }

    static Map<String, Object> error(RuntimeFailure failure) {
        return Map.of("error", Failure.of(failure));
    }
}
