package dev.wharf.runtime.remote;

import dev.wharf.runtime.wire.NodeJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpExchangeAdapter;
import org.springframework.web.service.invoker.HttpExchangeAdapterDecorator;
import org.springframework.web.service.invoker.HttpRequestValues;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * Makes {@link NodeApi} proxies for one node: a {@code RestClient} over the node's JDK
 * {@link HttpClient} (so the same TLS context, client certificate and host-name check as the
 * streams), with the node's credential on every call, {@link NodeJson}'s mapping, and every answer
 * ≥ 300 turned into the node's failure by {@link NodeFailures}. Each proxy has one time limit
 * (the JDK request's timeout); an I/O error, a refused plain-http URL or a body that does not
 * read become failures too, so a caller sees only {@code RuntimeFailure}s.
 */
final class NodeApiClient {

    private final RestClient client;
    private final NodeFailures failures;
    private final HttpClient http;
    private final Runnable guard;

    /** {@code guard} runs before every call (it refuses a plain-http node that is not allowed). */
    NodeApiClient(URI base, String credential, HttpClient http, NodeFailures failures, Runnable guard) {
        this.http = http;
        this.failures = failures;
        this.guard = guard;
        this.client = RestClient.builder()
                .baseUrl(base + "/node/v1")
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + credential)
                .messageConverters(List.<HttpMessageConverter<?>>of(json()))
                .defaultStatusHandler(status -> status.value() >= 300, (request, response) -> {
                    throw failures.answer(response.getStatusCode().value(), response.getBody().readAllBytes(),
                            request.getMethod() + " " + request.getURI().getPath());
                })
                .build();
    }

    /**
     * {@link NodeJson}'s mapping, sending {@code application/json} and reading an answer as JSON
     * whatever its {@code Content-Type} says (a node's answers are JSON; the client never relied on the header).
     */
    private static JacksonJsonHttpMessageConverter json() {
        JacksonJsonHttpMessageConverter converter = new JacksonJsonHttpMessageConverter(NodeJson.MAPPER);
        converter.setSupportedMediaTypes(List.of(MediaType.APPLICATION_JSON, new MediaType("application", "*+json"), MediaType.ALL));
        return converter;
    }

    /** A proxy whose calls each wait at most {@code timeout} for the node's answer. */
    NodeApi within(Duration timeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(timeout);
        RestClientAdapter adapter = RestClientAdapter.create(client.mutate().requestFactory(requests).build());
        return HttpServiceProxyFactory.builderFor(adapter)
                .exchangeAdapterDecorator(delegate -> new Guarded(delegate, timeout))
                .build()
                .createClient(NodeApi.class);
    }

    /** Runs the guard before a call, and turns what RestClient throws into the node's failures. */
    private final class Guarded extends HttpExchangeAdapterDecorator {

        private final Duration timeout;

        Guarded(HttpExchangeAdapter delegate, Duration timeout) {
            super(delegate);
            this.timeout = timeout;
        }

        private <T> T call(HttpRequestValues values, Supplier<T> exchange) {
            guard.run();
            String what = values.getHttpMethod() + " " + path(values);
            try {
                return exchange.get();
            } catch (ResourceAccessException e) {
                Throwable cause = e.getCause() instanceof IOException io ? io : e;
                throw failures.unreachable(cause, what, timeout);
            } catch (RestClientException e) {
                throw failures.unreadable(what, e);
            }
        }

        /** The call's path under {@code /node/v1} with its variables, for messages ({@code /containers/abc/start}). */
        private static String path(HttpRequestValues values) {
            String path = values.getUriTemplate() == null ? String.valueOf(values.getUri()) : values.getUriTemplate();
            for (var variable : values.getUriVariables().entrySet()) {
                path = path.replace("{" + variable.getKey() + "}", variable.getValue());
            }
            return path;
        }

        @Override
        public void exchange(HttpRequestValues values) {
            call(values, () -> {
                super.exchange(values);
                return null;
            });
        }

        @Override
        public HttpHeaders exchangeForHeaders(HttpRequestValues values) {
            return call(values, () -> super.exchangeForHeaders(values));
        }

        @Override
        public <T> T exchangeForBody(HttpRequestValues values, ParameterizedTypeReference<T> type) {
            return call(values, () -> super.exchangeForBody(values, type));
        }

        @Override
        public ResponseEntity<Void> exchangeForBodilessEntity(HttpRequestValues values) {
            return call(values, () -> super.exchangeForBodilessEntity(values));
        }

        @Override
        public <T> ResponseEntity<T> exchangeForEntity(HttpRequestValues values, ParameterizedTypeReference<T> type) {
            return call(values, () -> super.exchangeForEntity(values, type));
        }
    }
}
