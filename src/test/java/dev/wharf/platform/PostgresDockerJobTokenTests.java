package dev.wharf.platform;

import dev.wharf.testing.Postgres;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Every check of {@link DockerJobTokenTests}, with the certificates kept in PostgreSQL. */
class PostgresDockerJobTokenTests extends DockerJobTokenTests {

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(Postgres.available(),
                "no PostgreSQL: set WHARF_TEST_JDBC_URL or run a Docker engine (CI sets WHARF_STRICT_TESTS=true)");
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        Postgres.register(registry);
    }
}
