package dev.wharf.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A client of a container's terminal WebSocket ({@code /api/v1/teams/{team}/containers/{name}/terminal}): types and reads the screen. */
public final class Terminal implements AutoCloseable {

    private final StringBuffer screen = new StringBuffer();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private Terminal(URI uri, String user, String password) throws Exception {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        byte[] bytes = new byte[data.remaining()];
                        data.get(bytes);
                        screen.append(new String(bytes, StandardCharsets.UTF_8));
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closed.complete(status + " " + reason);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
    }

    /** Opens the terminal of {@code container} of {@code team} on the server at {@code port} (80x24), logged in with Basic. */
    public static Terminal open(int port, String team, String container, String user, String password) throws Exception {
        return new Terminal(URI.create("ws://localhost:" + port + "/api/v1/teams/" + team + "/containers/" + container
                + "/terminal?cols=80&rows=24"), user, password);
    }

    /** Types {@code line} and Enter. */
    public void type(String line) throws Exception {
        socket.sendText("{\"type\":\"input\",\"data\":\"" + line.replace("\\", "\\\\").replace("\"", "\\\"") + "\\r\"}", true)
                .get(10, TimeUnit.SECONDS);
    }

    public void resize(int cols, int rows) throws Exception {
        socket.sendText("{\"type\":\"resize\",\"cols\":" + cols + ",\"rows\":" + rows + "}", true).get(10, TimeUnit.SECONDS);
    }

    /** Waits (at most 20 s) until the screen shows {@code text}; returns the screen so far. */
    public String await(String text) throws InterruptedException {
        for (int i = 0; i < 200 && !screen.toString().contains(text); i++) {
            Thread.sleep(100);
        }
        if (!screen.toString().contains(text)) {
            throw new AssertionError("the terminal never showed \"" + text + "\"; it shows: " + screen);
        }
        return screen.toString();
    }

    /**
     * Reads a runtime terminal's output ({@code TerminalSession.output()}) into {@code screen} until
     * it shows {@code expected}, failing after 10 s or when the terminal closes first.
     */
    public static void readUntil(java.io.InputStream in, StringBuilder screen, String expected) throws java.io.IOException {
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!screen.toString().contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the terminal never showed \"" + expected + "\"; it shows: " + screen);
            }
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("the terminal closed before it showed \"" + expected + "\"; it showed: " + screen);
            }
            screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
    }

    /** How the server closed the socket ("1000 ..."), waiting at most 20 s. */
    public String closedWith() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
