package dev.wharf.runtime.api;

/**
 * Every failure of the runtime contract, with a category the control plane maps to an HTTP
 * status (and the HTTP node client maps back). The message is a sentence for a person, with
 * the context first: {@code "start 3f2a: runc start: container not in created state"}.
 */
public class RuntimeFailure extends RuntimeException {

    public enum Kind {
        /** no such container or team */
        NOT_FOUND,
        /** a container with this id or name already exists */
        ALREADY_EXISTS,
        /** the request itself is wrong (bad id, negative limit, missing rootfs) */
        INVALID_ARGUMENT,
        /** the request is fine but the container's state forbids it (remove a running container without force) */
        FAILED_PRECONDITION,
        /** the host cannot do it now (runc missing, cgroups not writable, not root) */
        UNAVAILABLE,
        /** anything else; the cause says what */
        INTERNAL
    }

    private final Kind kind;
    /** the message as the runtime wrote it, host paths included (for the log); the message itself has them redacted */
    private final String hostDetail;

    public RuntimeFailure(Kind kind, String message) {
        super(HostPaths.redact(message));
        this.kind = kind;
        this.hostDetail = message;
    }

    public RuntimeFailure(Kind kind, String message, Throwable cause) {
        super(HostPaths.redact(message), cause);
        this.kind = kind;
        this.hostDetail = message;
    }

    public Kind kind() {
        return kind;
    }

    /** The message with the node's own paths in it: for the server's log, never for a client ({@link HostPaths}). */
    public String hostDetail() {
        return hostDetail;
    }

    public static RuntimeFailure notFound(String message) {
        return new RuntimeFailure(Kind.NOT_FOUND, message);
    }

    public static RuntimeFailure invalid(String message) {
        return new RuntimeFailure(Kind.INVALID_ARGUMENT, message);
    }

    public static RuntimeFailure precondition(String message) {
        return new RuntimeFailure(Kind.FAILED_PRECONDITION, message);
    }
}
