package dev.wharf.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client for timing GETs, as curl or wrk would: one kept-alive socket, the
 * request written in one go, the body read into one reused buffer and checked for its length. The
 * JDK's {@code HttpClient} costs the client itself ~2 ms median and up to ~10 ms at p99 for an
 * 800 KB answer on a 2-core host (its selector thread and buffer copies compete with the server for
 * the CPUs), which would be measured as the server's latency.
 */
final class KeepAliveClient implements AutoCloseable {

    private final int port;
    private final byte[] request;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buffer = new byte[64 * 1024];
    private final StringBuilder line = new StringBuilder();

    KeepAliveClient(int port, String path, String token) {
        this.port = port;
        request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One GET; returns the body's length, or fails on anything but a 200 with a Content-Length body. A new
     * connection is opened when the server closed the last one (Tomcat does after 100 requests), as browsers do.
     */
    long get() throws IOException {
        if (socket == null) {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }
        out.write(request);
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 200 ")) {
            throw new IOException("unexpected answer: " + status);
        }
        long length = -1;
        boolean closing = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            String name = colon > 0 ? header.substring(0, colon) : "";
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(header.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Connection")) {
                closing = header.substring(colon + 1).trim().equalsIgnoreCase("close");
            }
        }
        if (length < 0) {
            throw new IOException("the answer has no Content-Length");
        }
        for (long read = 0; read < length; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                throw new IOException("the answer ended after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        if (closing) {
            close();
        }
        return length;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
