package dev.wharf.runtime.wire;

import dev.wharf.runtime.api.RuntimeFailure;
import tools.jackson.databind.JsonNode;

/**
 * The error body of the node protocol, {@code {"kind":"NOT_FOUND","message":"…"}}: a
 * {@link RuntimeFailure} as it crosses the wire. The kind is the name of a
 * {@link RuntimeFailure.Kind}; the node's refusals before any runtime call use two more
 * ({@code UNAUTHENTICATED}, {@code UNAVAILABLE}) that the client reads by status.
 */
public record WireFailure(String kind, String message) {

    public static WireFailure of(RuntimeFailure failure) {
        return new WireFailure(failure.kind().name(), failure.getMessage());
    }

    /** {@code node} as the failure it was sent as, or {@code null} when it is not one (no such kind, no message). */
    public static RuntimeFailure read(JsonNode node) {
        if (node == null || !node.isObject() || !node.has("kind") || !node.has("message")) {
            return null;
        }
        try {
            return new RuntimeFailure(RuntimeFailure.Kind.valueOf(node.get("kind").asString()), node.get("message").asString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
