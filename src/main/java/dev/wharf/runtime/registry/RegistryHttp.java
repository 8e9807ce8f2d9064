package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GET requests to a registry's {@code /v2/} API: HTTPS unless the registry is listed as insecure,
 * retries with exponential backoff on connection errors, 5xx and 429 (never on other 4xx), token
 * and Basic authentication with a cache of authorizations, and redirects followed by hand so the
 * Authorization header never leaves the registry's origin. Thread-safe.
 */
final class RegistryHttp {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BACKOFF = Duration.ofMillis(200);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_SMALL_BODY = 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Authorizations are cached per registry, scope and credentials, so one caller's token never serves another's. */
    private record AuthKey(String registry, String scope, Credentials credentials) {
    }

    private record Authorization(String header, Instant expires) {
    }

    private final HttpClient client;
    private final Set<String> insecureRegistries;
    private final int retries;
    private final Map<AuthKey, Authorization> authorizations = new ConcurrentHashMap<>();

    RegistryHttp(HttpClient client, Set<String> insecureRegistries, int retries) {
        this.client = client;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.retries = retries;
    }

    int retries() {
        return retries;
    }

    /**
     * GETs {@code /v2/<repository><path>} of {@code ref}'s registry and returns a 2xx response with
     * its body still to read (the caller closes it); any other outcome is a RuntimeFailure.
     */
    HttpResponse<InputStream> get(ImageReference ref, Credentials credentials, String path, String accept) {
        URI origin = URI.create((insecureRegistries.contains(ref.registry()) ? "http" : "https") + "://" + ref.apiHost());
        URI uri = origin.resolve("/v2/" + ref.repository() + path);
        AuthKey key = new AuthKey(ref.registry(), "repository:" + ref.repository() + ":pull", credentials);
        boolean authenticated = false;
        int redirects = 0;
        while (true) {
            boolean sameOrigin = sameOrigin(uri, origin);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
            if (accept != null) {
                request.header("Accept", accept);
            }
            Authorization authorization = sameOrigin ? authorizations.get(key) : null;
            if (authorization != null && authorization.expires().isAfter(Instant.now())) {
                request.header("Authorization", authorization.header());
            }
            HttpResponse<InputStream> response = send(request.build());
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (status / 100 == 2) {
                return response;
            }
            if (status / 100 == 3 && location != null) {
                close(response);
                if (++redirects > MAX_REDIRECTS) {
                    throw new RuntimeFailure(Kind.INTERNAL, "more than " + MAX_REDIRECTS + " redirects from " + origin.getAuthority());
                }
                uri = uri.resolve(location);
                continue;
            }
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
            if (status == 401 && sameOrigin && !authenticated && challenge != null) {
                close(response);
                authorizations.put(key, authorize(AuthChallenge.parse(challenge), credentials, key.scope()));
                authenticated = true;
                continue;
            }
            throw failure(response, credentials);
        }
    }

    /** Waits before retry number {@code attempt + 1}: 200 ms, 400 ms, 800 ms, ... */
    void pause(int attempt) {
        try {
            Thread.sleep(BACKOFF.toMillis() << Math.min(attempt, 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure(Kind.INTERNAL, "interrupted", e);
        }
    }

    /** Reads {@code in} to the end, failing with INVALID_ARGUMENT if it holds more than {@code limit} bytes. */
    static byte[] readAtMost(InputStream in, long limit, String what) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > limit) {
            throw RuntimeFailure.invalid(what + " is larger than " + limit + " bytes");
        }
        return bytes;
    }

    /** The message of an I/O failure, which Java's HTTP client often leaves null. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection failed" : e.getClass().getSimpleName();
    }

    private Authorization authorize(AuthChallenge challenge, Credentials credentials, String scope) {
        switch (challenge.scheme()) {
            case "basic" -> {
                if (credentials == null) {
                    throw RuntimeFailure.precondition("authentication required: the registry answered 401 (Basic) and no credentials were given");
                }
                return new Authorization(credentials.basicAuthorization(), Instant.MAX);
            }
            case "bearer" -> {
                return token(challenge, credentials, scope);
            }
            default -> throw RuntimeFailure.precondition("the registry asks for unsupported authentication \"" + challenge.scheme() + "\"");
        }
    }

    /** Fetches a bearer token from the challenge's realm, with Basic credentials when given. */
    private Authorization token(AuthChallenge challenge, Credentials credentials, String scope) {
        String realm = challenge.params().get("realm");
        if (realm == null) {
            throw RuntimeFailure.invalid("the registry's Bearer challenge names no realm");
        }
        List<String> query = new ArrayList<>();
        if (challenge.params().containsKey("service")) {
            query.add("service=" + URLEncoder.encode(challenge.params().get("service"), StandardCharsets.UTF_8));
        }
        query.add("scope=" + URLEncoder.encode(challenge.params().getOrDefault("scope", scope), StandardCharsets.UTF_8));
        URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + String.join("&", query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
        if (credentials != null) {
            request.header("Authorization", credentials.basicAuthorization());
        }
        HttpResponse<InputStream> response = send(request.build());
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            close(response);
            throw RuntimeFailure.precondition("authentication failed: the token service " + uri.getAuthority() + " answered " + status
                    + (credentials == null ? " (no credentials were given)" : " for user " + credentials.username()
                    + " (wrong user name or password?)"));
        }
        if (status / 100 != 2) {
            throw failure(response, credentials);
        }
        try (InputStream body = response.body()) {
            JsonNode json = JSON.readTree(readAtMost(body, MAX_SMALL_BODY, "the token response"));
            String token = json.path("token").asString(json.path("access_token").asString(""));
            if (token.isEmpty()) {
                throw RuntimeFailure.invalid("the token service " + uri.getAuthority() + " sent no token");
            }
            long expiresIn = json.path("expires_in").asLong(60);
            return new Authorization("Bearer " + token, Instant.now().plusSeconds(Math.max(expiresIn, 60) - 10));
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.UNAVAILABLE, "reading a token from " + uri.getAuthority() + " failed: " + describe(e), e);
        }
    }

    /** Sends {@code request}, retrying connection errors, 5xx and 429; the last answer is returned whatever it is. */
    private HttpResponse<InputStream> send(HttpRequest request) {
        String host = request.uri().getAuthority();
        for (int attempt = 0; ; attempt++) {
            try {
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if ((status != 429 && status < 500) || attempt >= retries) {
                    return response;
                }
                close(response);
            } catch (SSLException e) {
                throw new RuntimeFailure(Kind.UNAVAILABLE, "no TLS connection to " + host + " (" + describe(e)
                        + "); if this registry serves plain HTTP, list it among the insecure registries", e);
            } catch (IOException e) {
                if (attempt >= retries) {
                    throw new RuntimeFailure(Kind.UNAVAILABLE, "cannot reach " + host + ": " + describe(e), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure(Kind.INTERNAL, "interrupted", e);
            }
            pause(attempt);
        }
    }

    /** The failure for a response that is not a success, with the registry's own error messages. */
    private static RuntimeFailure failure(HttpResponse<InputStream> response, Credentials credentials) {
        int status = response.statusCode();
        String messages = errorMessages(response);
        String answered = "the registry answered " + status + (messages.isEmpty() ? "" : " (" + messages + ")");
        return switch (status) {
            case 401 -> RuntimeFailure.precondition("authentication failed: " + answered
                    + (credentials == null ? "; no credentials were given" : ""));
            case 403 -> RuntimeFailure.precondition("access denied: " + answered);
            case 404 -> RuntimeFailure.notFound(messages.isEmpty() ? "not found (" + response.uri().getPath() + ")" : messages);
            case 400 -> RuntimeFailure.invalid(answered);
            default -> new RuntimeFailure(status == 429 || status >= 500 ? Kind.UNAVAILABLE : Kind.INTERNAL, answered);
        };
    }

    /** The messages of a distribution error body ({@code {"errors":[{"code":..,"message":..}]}}), or "". */
    private static String errorMessages(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            JsonNode errors = JSON.readTree(body.readNBytes(64 * 1024)).path("errors");
            List<String> messages = new ArrayList<>();
            for (JsonNode error : errors) {
                messages.add(error.path("message").asString(error.path("code").asString("")));
            }
            return String.join("; ", messages);
        } catch (IOException | JacksonException notAnErrorBody) {
            return "";
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && Objects.equals(a.getHost(), b.getHost()) && a.getPort() == b.getPort();
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }
}
