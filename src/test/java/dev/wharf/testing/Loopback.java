package dev.wharf.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Ports on 127.0.0.1 for tests that publish container ports. */
public final class Loopback {

    private Loopback() {
    }

    /** A port nothing listens on now, between {@code min} and {@code max}. */
    public static int freePort(int min, int max) throws IOException {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (socket.getLocalPort() >= min && socket.getLocalPort() <= max) {
                    return socket.getLocalPort();
                }
            }
        }
        throw new IllegalStateException("no free port between " + min + " and " + max);
    }

    /**
     * What a server on 127.0.0.1:{@code port} says when connected to (it closes after
     * answering), retrying while it starts: at most ~5 s; empty if it never answers.
     */
    public static String read(int port) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(2000);
                try (InputStream in = socket.getInputStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                    if (!text.isEmpty()) {
                        return text;
                    }
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return "";
    }
}
