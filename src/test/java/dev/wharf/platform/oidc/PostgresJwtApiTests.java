package dev.wharf.platform.oidc;

import dev.wharf.testing.Postgres;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link JwtApiTests} on PostgreSQL, with the same Flyway migrations (skipped without one, unless WHARF_STRICT_TESTS=true). */
@EnabledIf("dev.wharf.testing.Postgres#available")
class PostgresJwtApiTests extends JwtApiTests {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        Postgres.register(registry);
    }
}
