package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.wire.NodeJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/** A terminal on a node, over the node's terminal WebSocket ({@code runtime.node.NodeTerminalSocket} describes the frames). */
final class RemoteTerminal implements TerminalSession {

    private static final byte[] EOF = new byte[0];
    private static final int FRAME = 4096;
    private static final long OPEN_SECONDS = 30;

    private final BlockingQueue<byte[]> screen = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Object sending = new Object();
    private final InputStream output = new Output();
    private final OutputStream input = new Input();
    private volatile WebSocket socket;
    private volatile boolean closed;

    private RemoteTerminal() {
    }

    static RemoteTerminal open(HttpClient http, RemoteRuntime node, String containerPath, List<String> args, int cols, int rows,
            String credential) {
        StringBuilder query = new StringBuilder("?cols=").append(cols).append("&rows=").append(rows);
        for (String arg : args == null ? List.<String>of() : args) {
            query.append("&arg=").append(RemoteRuntime.encode(arg));
        }
        URI url = URI.create(node.url().toString().replaceFirst("^http", "ws") + "/node/v1" + containerPath + "/terminal" + query);
        RemoteTerminal terminal = new RemoteTerminal();
        try {
            terminal.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + credential)
                    .connectTimeout(RemoteRuntime.CONNECT_TIMEOUT).buildAsync(url, terminal.new Listener())
                    .get(OPEN_SECONDS, TimeUnit.SECONDS);
            terminal.ready.get(OPEN_SECONDS, TimeUnit.SECONDS);
            return terminal;
        } catch (ExecutionException e) {
            terminal.abort();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeFailure failure) {
                throw failure;
            }
            if (cause instanceof WebSocketHandshakeException handshake) {
                int status = handshake.getResponse().statusCode();
                throw node.unavailable(status == 401 || status == 403
                        ? "node " + node.url() + " refused this control plane's credential (" + status + ")"
                        : "node " + node.url() + " refused the terminal (" + status + ")", cause);
            }
            throw node.unavailable("node " + node.url() + " is not answering: " + (cause == null ? e : cause).getMessage(), cause);
        } catch (TimeoutException e) {
            terminal.abort();
            throw node.unavailable("node " + node.url() + " did not open the terminal within " + OPEN_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminal.abort();
            throw node.unavailable("interrupted while opening a terminal on node " + node.url(), e);
        }
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public OutputStream input() {
        return input;
    }

    @Override
    public void resize(int cols, int rows) {
        try {
            send(() -> socket.sendText(NodeJson.MAPPER.writeValueAsString(RemoteRuntime.resize(cols, rows)), true));
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "resize the terminal: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            try {
                synchronized (sending) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // the node is gone or slow: drop the connection
            }
            ws.abort();
        }
        screen.offer(EOF);
    }

    private void abort() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        screen.offer(EOF);
    }

    private void send(java.util.function.Supplier<CompletableFuture<WebSocket>> frame) throws IOException {
        if (closed) {
            throw new IOException("the terminal is closed");
        }
        synchronized (sending) {
            try {
                frame.get().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new IOException("the terminal connection broke: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the node did not take the terminal input within 30 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                try {
                    JsonNode message = NodeJson.MAPPER.readTree(frame);
                    String type = message.path("type").asString();
                    if ("ready".equals(type)) {
                        ready.complete(null);
                    } else if ("error".equals(type)) {
                        RuntimeFailure.Kind kind;
                        try {
                            kind = RuntimeFailure.Kind.valueOf(message.path("kind").asString());
                        } catch (IllegalArgumentException e) {
                            kind = RuntimeFailure.Kind.INTERNAL;
                        }
                        ready.completeExceptionally(new RuntimeFailure(kind, message.path("message").asString()));
                    }
                } catch (RuntimeException e) {
                    // not for us
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.write(bytes, 0, bytes.length);
            if (last) {
                screen.offer(binary.toByteArray());
                binary = new java.io.ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ready.completeExceptionally(new RuntimeFailure(RuntimeFailure.Kind.INTERNAL,
                    "the node closed the terminal before it opened (" + statusCode + " " + reason + ")"));
            screen.offer(EOF);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ready.completeExceptionally(new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE,
                    "the terminal connection broke: " + error.getMessage(), error));
            screen.offer(EOF);
        }
    }

    private final class Output extends InputStream {

        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position >= current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    byte[] next = screen.take();
                    if (next == EOF) {
                        ended = true;
                        screen.offer(EOF);
                        return -1;
                    }
                    current = next;
                    position = 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading the terminal");
                }
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public void close() {
            RemoteTerminal.this.close();
        }
    }

    private final class Input extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            for (int start = offset; start < offset + length; start += FRAME) {
                byte[] frame = Arrays.copyOfRange(bytes, start, Math.min(offset + length, start + FRAME));
                send(() -> socket.sendBinary(ByteBuffer.wrap(frame), true));
            }
        }
    }
}
