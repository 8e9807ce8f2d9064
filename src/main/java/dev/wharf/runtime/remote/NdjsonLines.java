package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.runtime.wire.WireFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The lines of a node's newline-delimited JSON answer (logs, events, pull progress), each read as
 * JSON; the blank keep-alive lines are skipped. A broken connection is the failure
 * {@code broken} makes of it; an {@code {"error":…}} line is thrown by {@link #throwIfError}.
 */
final class NdjsonLines implements Iterator<JsonNode> {

    private final BufferedReader reader;
    private final Function<IOException, RuntimeFailure> broken;
    private String next;
    private boolean done;

    NdjsonLines(InputStream body, Function<IOException, RuntimeFailure> broken) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        this.broken = broken;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !done) {
            try {
                String line = reader.readLine();
                if (line == null) {
                    done = true;
                } else if (!line.isBlank()) {
                    next = line;
                }
            } catch (IOException e) {
                done = true;
                throw broken.apply(e);
            }
        }
        return next != null;
    }

    @Override
    public JsonNode next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String line = next;
        next = null;
        return NodeJson.MAPPER.readTree(line);
    }

    /** Throws the failure a stream's last line carries, if it is an {@code {"error":…}} line. */
    static void throwIfError(JsonNode line) {
        if (line.has("error")) {
            RuntimeFailure failure = WireFailure.read(line.get("error"));
            throw failure != null ? failure
                    : new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node sent an error: " + line.get("error"));
        }
    }
}
