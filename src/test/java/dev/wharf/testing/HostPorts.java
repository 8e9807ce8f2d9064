package dev.wharf.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Host ports for tests that publish a container's port: a free one in a range, and what a TCP server on one answers. */
public final class HostPorts {

    private HostPorts() {
    }

    /** A port nothing listens on now, between {@code min} and {@code max}. */
    public static int free(int min, int max) throws IOException {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (socket.getLocalPort() >= min && socket.getLocalPort() <= max) {
                    return socket.getLocalPort();
                }
            }
        }
        throw new IllegalStateException("no free port between " + min + " and " + max);
    }

    /** What a connection to 127.0.0.1:{@code port} reads until the server closes it; retries for 5 s while nothing listens; "" if nothing did. */
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
