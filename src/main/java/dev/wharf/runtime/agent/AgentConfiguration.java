package dev.wharf.runtime.agent;

import dev.wharf.runtime.api.RuntimeConnector;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The agent's wiring: in every mode the {@link RuntimeConnector} the control plane reaches nodes
 * with; in {@code node} mode also the join at start ({@link NodeJoin}).
 */
@Configuration
class AgentConfiguration {

    @Bean
    RuntimeConnector runtimeConnector() {
        HttpClient http = RemoteRuntime.newHttpClient();
        return (url, credential) -> new RemoteRuntime(url, credential, http);
    }

    @Configuration
    @ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
    static class NodeMode {

        /** Joins the control plane once the web server listens (a server may call back at once); failure stops the node. */
        @Bean
        ApplicationRunner nodeJoin(NodeSettings settings, NodeCredential credential, Environment environment) {
            return args -> {
                String host = hostName();
                String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
                String name = blank(settings.name()) ? host : settings.name().strip();
                String url = blank(settings.advertiseUrl()) ? "http://" + host + ":" + port : settings.advertiseUrl().strip();
                new NodeJoin(RemoteRuntime.newHttpClient()).joinIfNeeded(settings.server(), settings.joinToken(), name, url, credential);
            };
        }

        private static boolean blank(String value) {
            return value == null || value.isBlank();
        }

        static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                String env = System.getenv("HOSTNAME");
                return env == null || env.isBlank() ? "localhost" : env;
            }
        }
    }
}
