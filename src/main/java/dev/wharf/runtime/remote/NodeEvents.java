package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.wire.NodeJson;
import java.io.InputStream;
import java.net.URI;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A subscription to a node's event stream ({@code GET /node/v1/events}, newline-delimited JSON).
 * When the stream breaks (the node restarted), it connects again every few seconds until closed;
 * events in between are lost, as with a restart of an in-process runtime.
 */
final class NodeEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);

    private final URI base;
    private final Supplier<InputStream> open;
    private final Function<InputStream, Iterator<JsonNode>> lines;
    private final Consumer<RuntimeEvent> listener;
    private volatile boolean closed;
    private volatile InputStream current;
    private volatile Thread thread;

    private NodeEvents(URI base, Supplier<InputStream> open, Function<InputStream, Iterator<JsonNode>> lines,
            Consumer<RuntimeEvent> listener) {
        this.base = base;
        this.open = open;
        this.lines = lines;
        this.listener = listener;
    }

    /**
     * Opens the stream with {@code open} before returning (a node that does not answer throws
     * here), then delivers its events to {@code listener} on a daemon thread of its own.
     */
    static NodeEvents start(URI base, Supplier<InputStream> open, Function<InputStream, Iterator<JsonNode>> lines,
            Consumer<RuntimeEvent> listener) {
        NodeEvents subscription = new NodeEvents(base, open, lines, listener);
        subscription.connect();
        Thread thread = new Thread(subscription::run, "node-events-" + base.getAuthority());
        thread.setDaemon(true);
        subscription.thread = thread;
        thread.start();
        return subscription;
    }

    private void connect() {
        current = open.get();
    }

    private void run() {
        boolean warned = false;
        while (!closed) {
            try {
                if (current == null) {
                    connect();
                    log.info("events of node {} are flowing again", base);
                    warned = false;
                }
                Iterator<JsonNode> stream = lines.apply(current);
                while (!closed && stream.hasNext()) {
                    JsonNode line = stream.next();
                    NdjsonLines.throwIfError(line);
                    RuntimeEvent event = NodeJson.MAPPER.treeToValue(line, RuntimeEvent.class);
                    try {
                        listener.accept(event);
                    } catch (RuntimeException e) {
                        log.warn("an event listener failed on {}", event, e);
                    }
                }
            } catch (RuntimeException e) {
                if (!closed && !warned) {
                    log.warn("events of node {} stopped: {}; trying again", base, e.getMessage());
                    warned = true;
                }
            }
            RemoteRuntime.closeQuietly(current);
            current = null;
            if (!closed) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        RemoteRuntime.closeQuietly(current);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
