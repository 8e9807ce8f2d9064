package dev.wharf.testing;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests that talk to a running Wharf over real HTTP, as scripts do. */
public final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final HttpClient client;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Http(String base, HttpClient client) {
        this.base = base;
        this.client = client;
    }

    public static Http to(int port) {
        return new Http("http://localhost:" + port, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** A client of {@code https://host:port} over {@code tls}. */
    public static Http tls(String host, int port, javax.net.ssl.SSLContext tls) {
        return new Http("https://" + host + ":" + port, HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** The CSRF token of a page's form ({@code <input name="_csrf" value="...">}). */
    public static String csrf(String html) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        if (!matcher.find()) {
            throw new AssertionError("no CSRF field in the page: " + html);
        }
        return matcher.group(1);
    }

    /** A client that keeps cookies, like a browser session. */
    public static Http withCookies(int port) {
        return new Http("http://localhost:" + port, HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** A browser session of the user, logged in through the login form (for the dashboard's pages). */
    public static Http loggedIn(int port, String user, String password) {
        Http browser = withCookies(port);
        String form = "username=" + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + csrf(browser.get("/login").body());
        String location = browser.form("/login", form).header("Location");
        if (location == null || location.contains("error")) {
            throw new AssertionError("login of " + user + " failed: " + location);
        }
        return browser;
    }

    public Http basic(String user, String password) {
        Http copy = copy();
        copy.headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return copy;
    }

    public Http bearer(String token) {
        Http copy = copy();
        copy.headers.put("Authorization", "Bearer " + token);
        return copy;
    }

    public Http header(String name, String value) {
        Http copy = copy();
        copy.headers.put(name, value);
        return copy;
    }

    private Http copy() {
        Http copy = new Http(base, client);
        copy.headers.putAll(headers);
        return copy;
    }

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    public Response put(String path, String json) {
        return send("PUT", path, json, "application/json");
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json, "application/json");
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Response form(String path, String urlEncoded) {
        return send("POST", path, urlEncoded, "application/x-www-form-urlencoded");
    }

    public Response send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(HttpResponse<String> raw) {

        public int status() {
            return raw.statusCode();
        }

        public String body() {
            return raw.body();
        }

        public JsonNode json() {
            return JSON.readTree(raw.body());
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }

        @Override
        public String toString() {
            return raw.request().method() + " " + raw.uri() + " -> " + status() + " " + body();
        }
    }
}
