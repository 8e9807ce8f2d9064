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
 *
 * <p>Every request (registry, redirect target, token service) passes the {@link RegistryAddressPolicy}
 * right before it is sent; a redirect never goes from HTTPS to plain HTTP, and a token service is
 * never sent credentials over plain HTTP. Failures name the step and the host and never carry the
 * remote's text: error bodies are reduced to the distribution spec's error codes, and every
 * connection failure reads "could not reach ...", whatever the cause.
 */
final class RegistryHttp {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BACKOFF = Duration.ofMillis(200);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_SMALL_BODY = 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Authorizations are cached per registry, scope and credentials, so one caller's token never serves another's. */
    private record AuthKey(String registry, String scope, RegistryLogin credentials) {
    }

    private record Authorization(String header, Instant expires) {
    }

    /** The distribution spec's error codes and their standard texts: a registry's own wording is never shown. */
    private static final Map<String, String> ERROR_CODES = Map.ofEntries(
            Map.entry("BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("BLOB_UPLOAD_INVALID", "blob upload invalid"),
            Map.entry("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"),
            Map.entry("DIGEST_INVALID", "provided digest did not match uploaded content"),
            Map.entry("MANIFEST_BLOB_UNKNOWN", "manifest references a manifest or blob unknown to registry"),
            Map.entry("MANIFEST_INVALID", "manifest invalid"),
            Map.entry("MANIFEST_UNKNOWN", "manifest unknown"),
            Map.entry("NAME_INVALID", "invalid repository name"),
            Map.entry("NAME_UNKNOWN", "repository name not known to registry"),
            Map.entry("SIZE_INVALID", "provided length did not match content length"),
            Map.entry("UNAUTHORIZED", "authentication required"),
            Map.entry("DENIED", "requested access to the resource is denied"),
            Map.entry("UNSUPPORTED", "the operation is unsupported"),
            Map.entry("TOOMANYREQUESTS", "too many requests"),
            Map.entry("UNAVAILABLE", "service unavailable"),
            Map.entry("UNKNOWN", "unknown error"));

    private final HttpClient client;
    private final RegistryAddressPolicy policy;
    private final int retries;
    private final Map<AuthKey, Authorization> authorizations = new ConcurrentHashMap<>();

    RegistryHttp(HttpClient client, RegistryAddressPolicy policy, int retries) {
        this.client = client;
        this.policy = policy;
        this.retries = retries;
    }

    int retries() {
        return retries;
    }

    /**
     * GETs {@code /v2/<repository><path>} of {@code ref}'s registry and returns a 2xx response with
     * its body still to read (the caller closes it); any other outcome is a RuntimeFailure.
     */
    HttpResponse<InputStream> get(ImageReference ref, RegistryLogin credentials, String path, String accept) {
        URI origin = URI.create((policy.insecure(ref.registry()) ? "http" : "https") + "://" + ref.apiHost());
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
            HttpResponse<InputStream> response = send(request.build(), redirects == 0 ? "registry" : "redirect target");
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (status / 100 == 2) {
                return response;
            }
            if (status / 100 == 3 && location != null) {
                close(response);
                if (++redirects > MAX_REDIRECTS) {
                    throw new RuntimeFailure(Kind.INVALID_ARGUMENT, "more than " + MAX_REDIRECTS + " redirects from registry "
                            + RegistryAddressPolicy.hostPort(origin));
                }
                uri = redirect(uri, location);
                continue;
            }
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
            if (status == 401 && sameOrigin && !authenticated && challenge != null) {
                close(response);
                authorizations.put(key, authorize(AuthChallenge.parse(challenge), credentials, key.scope()));
                authenticated = true;
                continue;
            }
            throw failure(response, credentials, sameOrigin ? "the registry" : "redirect target " + RegistryAddressPolicy.hostPort(uri));
        }
    }

    /** The target of a redirect from {@code from}: never from HTTPS to plain HTTP (the policy checks the rest before sending). */
    private static URI redirect(URI from, String location) {
        URI to;
        try {
            to = from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw RuntimeFailure.invalid("registry " + RegistryAddressPolicy.hostPort(from) + " sent a malformed redirect");
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme())) {
            throw RuntimeFailure.invalid("redirect from " + RegistryAddressPolicy.hostPort(from) + " to "
                    + (to.getScheme() == null ? "?" : to.getScheme()) + "://" + RegistryAddressPolicy.hostPort(to)
                    + " refused: a redirect never leaves HTTPS");
        }
        return to;
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

    private Authorization authorize(AuthChallenge challenge, RegistryLogin credentials, String scope) {
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
            default -> throw RuntimeFailure.precondition("the registry asks for an unsupported authentication scheme"
                    + (challenge.scheme().matches("[a-z0-9-]{1,20}") ? " \"" + challenge.scheme() + "\"" : ""));
        }
    }

    /** Fetches a bearer token from the challenge's realm, with Basic credentials when given. */
    private Authorization token(AuthChallenge challenge, RegistryLogin credentials, String scope) {
        String realm = challenge.params().get("realm");
        if (realm == null) {
            throw RuntimeFailure.invalid("the registry's Bearer challenge names no realm");
        }
        List<String> query = new ArrayList<>();
        if (challenge.params().containsKey("service")) {
            query.add("service=" + URLEncoder.encode(challenge.params().get("service"), StandardCharsets.UTF_8));
        }
        query.add("scope=" + URLEncoder.encode(challenge.params().getOrDefault("scope", scope), StandardCharsets.UTF_8));
        URI uri;
        try {
            uri = URI.create(realm.strip() + (realm.contains("?") ? "&" : "?") + String.join("&", query));
        } catch (IllegalArgumentException e) {
            throw RuntimeFailure.invalid("the registry's Bearer challenge names a malformed realm");
        }
        if (credentials != null && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw RuntimeFailure.invalid("token service " + RegistryAddressPolicy.hostPort(uri) + " refused: credentials are sent"
                    + " to a token service only over HTTPS");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
        if (credentials != null) {
            request.header("Authorization", credentials.basicAuthorization());
        }
        HttpResponse<InputStream> response = send(request.build(), "token service");
        String service = RegistryAddressPolicy.hostPort(uri);
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            close(response);
            throw RuntimeFailure.precondition("authentication failed: the token service " + service + " answered " + status
                    + (credentials == null ? " (no credentials were given)" : " for user " + credentials.username()
                    + " (wrong user name or password?)"));
        }
        if (status / 100 != 2) {
            throw failure(response, credentials, "the token service " + service);
        }
        try (InputStream body = response.body()) {
            JsonNode json = JSON.readTree(readAtMost(body, MAX_SMALL_BODY, "the token response"));
            String token = json.path("token").asString(json.path("access_token").asString(""));
            if (token.isEmpty()) {
                throw RuntimeFailure.invalid("the token service " + service + " sent no token");
            }
            long expiresIn = json.path("expires_in").asLong(60);
            return new Authorization("Bearer " + token, Instant.now().plusSeconds(Math.max(expiresIn, 60) - 10));
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.UNAVAILABLE, "reading a token from " + service + " failed", e);
        }
    }

    /**
     * Sends {@code request} once the policy allows its host ({@code what} names it: "registry", ...),
     * retrying connection errors, 5xx and 429; the last answer is returned whatever it is. The
     * policy is asked again before every try, so a retry never goes to an address nobody checked.
     */
    private HttpResponse<InputStream> send(HttpRequest request, String what) {
        for (int attempt = 0; ; attempt++) {
            try {
                policy.check(request.uri(), what);
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if ((status != 429 && status < 500) || attempt >= retries) {
                    return response;
                }
                close(response);
            } catch (SSLException e) {
                // the same text as a closed port: what listens where is not for the caller to map
                throw withCause(RegistryAddressPolicy.unreachable(what, request.uri()), e);
            } catch (IOException e) {
                if (attempt >= retries) {
                    throw withCause(RegistryAddressPolicy.unreachable(what, request.uri()), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure(Kind.INTERNAL, "interrupted", e);
            }
            pause(attempt);
        }
    }

    private static RuntimeFailure withCause(RuntimeFailure failure, Exception cause) {
        failure.initCause(cause);
        return failure;
    }

    /** The failure for a response that is not a success, with the distribution error codes of its body (never its text). */
    private static RuntimeFailure failure(HttpResponse<InputStream> response, RegistryLogin credentials, String who) {
        int status = response.statusCode();
        String messages = errorMessages(response);
        String answered = who + " answered " + status + (messages.isEmpty() ? "" : " (" + messages + ")");
        return switch (status) {
            case 401 -> RuntimeFailure.precondition("authentication failed: " + answered
                    + (credentials == null ? "; no credentials were given" : ""));
            case 403 -> RuntimeFailure.precondition("access denied: " + answered);
            case 404 -> RuntimeFailure.notFound(messages.isEmpty() ? "not found (" + response.uri().getPath() + ")" : messages);
            case 400 -> RuntimeFailure.invalid(answered);
            default -> new RuntimeFailure(status == 429 || status >= 500 ? Kind.UNAVAILABLE : Kind.INTERNAL, answered);
        };
    }

    /**
     * The standard texts of the known error codes of a distribution error body
     * ({@code {"errors":[{"code":..,"message":..}]}}), or "": the body's own words are never repeated.
     */
    private static String errorMessages(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            JsonNode errors = JSON.readTree(body.readNBytes(64 * 1024)).path("errors");
            Set<String> messages = new java.util.LinkedHashSet<>();
            for (JsonNode error : errors) {
                String text = ERROR_CODES.get(error.path("code").asString(""));
                if (text != null) {
                    messages.add(text);
                }
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
