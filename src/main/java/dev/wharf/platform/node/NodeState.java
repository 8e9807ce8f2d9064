package dev.wharf.platform.node;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A node as the heartbeats see it; stored in {@code nodes.state} and shown as the lowercase word. */
public enum NodeState {
    /** answers its heartbeats and can run containers */
    UP,
    /** stopped answering for {@code wharf.node.down-after}, or answers that it cannot run containers */
    DOWN,
    /** joined, but has not answered a heartbeat yet */
    JOINING;

    /** {@code up}, {@code down}, {@code joining}: as stored and as the API writes it. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static NodeState of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value();
    }
}
