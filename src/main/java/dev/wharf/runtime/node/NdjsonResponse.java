package dev.wharf.runtime.node;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.wire.NodeJson;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes a long-lived response as newline-delimited JSON: one value per line, and a blank line
 * whenever nothing happened for a while, so that proxies keep the connection and a caller that
 * went away is noticed (the write fails) and its producer stopped.
 */
final class NdjsonResponse {

    static final String MEDIA_TYPE = "application/x-ndjson";

    /** Put in the queue after the last value. */
    static final Object END = new Object();

    private NdjsonResponse() {
    }

    /** Sends the status and headers now: the caller learns the stream is open (and, for events, subscribed). */
    static ServletOutputStream open(HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MEDIA_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
        ServletOutputStream out = response.getOutputStream();
        response.flushBuffer();
        return out;
    }

    /**
     * Writes what {@code queue} delivers until {@link #END} or a {@link RuntimeFailure} (written as
     * an {@code {"error":…}} line), with a blank line after {@code keepAlive} of silence. Returns
     * normally when the caller hung up.
     */
    static void drain(ServletOutputStream out, BlockingQueue<Object> queue, Duration keepAlive) {
        try {
            while (true) {
                Object next = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    out.write('\n');
                    out.flush();
                    continue;
                }
                if (next == END) {
                    out.flush();
                    return;
                }
                if (next instanceof RuntimeFailure failure) {
                    writeLine(out, NodeJson.error(failure));
                    out.flush();
                    return;
                }
                writeLine(out, next);
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the caller went away; the producer is stopped by whoever started it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void writeLine(ServletOutputStream out, Object value) throws IOException {
        out.write(NodeJson.write(value));
        out.write('\n');
    }
}
