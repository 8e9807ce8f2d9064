package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.runtime.wire.WireFailure;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * How what a node answers, or fails to, becomes a {@link RuntimeFailure}: the one mapping of the
 * client, used by the declarative calls ({@link NodeApiClient}'s status handler) and by the
 * hand-written streams alike. The node's {@code {"kind","message"}} is the failure it was; an
 * answer without one goes by its status; a node that cannot be reached, refuses the credential or
 * has not joined is {@code UNAVAILABLE}.
 */
final class NodeFailures {

    private final URI base;

    NodeFailures(URI base) {
        this.base = base;
    }

    /** The failure of an answer with {@code status} ≥ 300 and {@code body}, to the call {@code what}. */
    RuntimeFailure answer(int status, byte[] body, String what) {
        try {
            RuntimeFailure failure = WireFailure.read(NodeJson.MAPPER.readTree(body));
            if (failure != null) {
                return failure;
            }
        } catch (RuntimeException e) {
            // not the node's error format
        }
        return switch (status) {
            case 401, 403 -> unavailable("node " + base + " refused this control plane's credential (" + status + ")", null);
            case 503 -> unavailable("node " + base + " is not ready (503)", null);
            case 400 -> RuntimeFailure.invalid("node " + base + " refused " + what + " (400)");
            default -> new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node " + base + " answered " + status + " to " + what);
        };
    }

    /** The failure of a call {@code what} that got no answer: {@code e} is the I/O error, {@code timeout} the call's limit. */
    RuntimeFailure unreachable(Throwable e, String what, Duration timeout) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
                break;
            }
            if (cause instanceof HttpTimeoutException) {
                return unavailable("node " + base + " did not answer " + what + " in time ("
                        + (timeout == null ? "no limit" : timeout.toString()) + ")", e);
            }
        }
        return unavailable("node " + base + " is not answering: " + describe(e), e);
    }

    /** An answer whose body is not what the call expects. */
    RuntimeFailure unreadable(String what, Throwable e) {
        return new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node " + base + " answered " + what + " with a body that does not read: "
                + describe(e), e);
    }

    RuntimeFailure unavailable(String message, Throwable cause) {
        return new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, message, cause);
    }

    /** The first message along the causes ({@code ConnectException} often has none of its own). */
    static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
