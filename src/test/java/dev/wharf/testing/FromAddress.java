package dev.wharf.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 to a local Wharf from a chosen loopback source address ({@code 127.0.0.2}, {@code 127.0.0.3}:
 * all of 127/8 is loopback on Linux), so the server sees different clients, as it would across a
 * network. The JDK's client cannot bind its source address; this writes requests on a bound socket.
 * Keeps the session cookie, like a browser.
 */
public final class FromAddress {

    private final String source;
    private final int port;
    private String cookie;

    private FromAddress(String source, int port) {
        this.source = source;
        this.port = port;
    }

    public static FromAddress of(String source, int port) {
        return new FromAddress(source, port);
    }

    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public Answer get(String path, String user, String password) {
        return send("GET", path, user == null ? Map.of() : Map.of("Authorization", basic(user, password)), null);
    }

    public Answer get(String path) {
        return send("GET", path, Map.of(), null);
    }

    /** Logs in through the dashboard's form (with the login page's CSRF token); the answer is its redirect. */
    public Answer logIn(String user, String password) {
        Answer page = get("/login");
        String csrf = Http.csrf(page.body());
        return send("POST", "/login", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "username=" + user + "&password=" + password + "&_csrf=" + csrf);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public Answer send(String method, String path, Map<String, String> headers, String body) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\nContent-Length: " + content.length + "\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            if (cookie != null) {
                request.append("Cookie: ").append(cookie).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " from " + source + " failed", e);
        }
    }

    private Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (name.equals("set-cookie")) {
                Matcher session = Pattern.compile("^(JSESSIONID=[^;]*)").matcher(value);
                if (session.find()) {
                    cookie = session.group(1);
                }
            }
            headers.putIfAbsent(name, value);
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = at;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            String sizeText = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }
}
