package dev.wharf.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL that tests run against: {@code WHARF_TEST_JDBC_URL} when set (CI starts a local
 * server), else Testcontainers when a Docker engine is reachable. Each Spring context gets its
 * own fresh schema, dropped when the JVM ends. With {@code WHARF_STRICT_TESTS=true} a missing
 * database is a failure, not a skip.
 */
public final class Postgres {

    private static final List<String> CREATED = new ArrayList<>();
    private static String baseUrl;
    private static PostgreSQLContainer container;

    private Postgres() {
    }

    /** Whether a PostgreSQL is available; throws when one is required but absent. */
    public static synchronized boolean available() {
        if (baseUrl != null) {
            return true;
        }
        String configured = System.getenv("WHARF_TEST_JDBC_URL");
        if (configured != null && !configured.isBlank()) {
            baseUrl = configured;
        } else if (dockerAvailable()) {
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            baseUrl = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                    + "user=" + container.getUsername() + "&password=" + container.getPassword();
        } else if (Boolean.parseBoolean(System.getenv("WHARF_STRICT_TESTS"))) {
            throw new IllegalStateException("WHARF_STRICT_TESTS=true but neither WHARF_TEST_JDBC_URL nor a Docker engine is available");
        } else {
            return false;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(Postgres::dropSchemas));
        return true;
    }

    /** Points the context's datasource and Flyway at a new, empty schema. */
    public static void register(DynamicPropertyRegistry registry) {
        newSchema().forEach((name, value) -> registry.add(name, () -> value));
    }

    /**
     * A new, empty schema, as the Spring properties that point a context's datasource and Flyway at
     * it (several contexts given the same properties share one database, like server replicas).
     */
    public static java.util.Map<String, String> newSchema() {
        if (!available()) {
            throw new IllegalStateException("no PostgreSQL available");
        }
        String schema = "wharf_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("create schema " + schema);
        synchronized (Postgres.class) {
            CREATED.add(schema);
        }
        return java.util.Map.of("spring.datasource.url", baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "spring.datasource.username", "", "spring.flyway.schemas", schema, "spring.flyway.default-schema", schema);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(baseUrl); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + baseUrl.replaceAll("password=[^&]*", "password=***") + ": " + e.getMessage(), e);
        }
    }

    private static synchronized void dropSchemas() {
        for (String schema : CREATED) {
            try {
                execute("drop schema if exists " + schema + " cascade");
            } catch (RuntimeException ignored) {
                // the database may already be gone; it is a throwaway test database either way
            }
        }
        if (container != null) {
            container.stop();
        }
    }
}
