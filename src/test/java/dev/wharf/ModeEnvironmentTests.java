package dev.wharf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Node mode switches the database off and keeps what the operator excluded; other modes are left alone. */
class ModeEnvironmentTests {

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }

    @Test
    void nodeModeExcludesTheDatabaseAndKeepsEarlierExcludes() {
        StandardEnvironment environment = environment(Map.of("wharf.mode", "NODE",
                "spring.autoconfigure.exclude", "com.example.SomethingAutoConfiguration"));
        new ModeEnvironment().postProcessEnvironment(environment, new SpringApplication());
        List<String> excluded = List.of(environment.getProperty("spring.autoconfigure.exclude", String[].class));
        assertThat(excluded).contains("com.example.SomethingAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
                "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");
        // every name is a real class of this Boot version (a rename would silently stop excluding it)
        for (String name : ModeEnvironment.NODE_EXCLUDES) {
            assertThat(org.springframework.util.ClassUtils.isPresent(name, null)).as(name).isTrue();
        }
    }

    @Test
    void theModeComesFromTheEnvironmentVariableToo() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("env", Map.of("WHARF_MODE", "node")));
        assertThat(ModeEnvironment.isNode(environment)).isTrue();
    }

    @Test
    void otherModesAreLeftAlone() {
        for (String mode : List.of("all", "server")) {
            StandardEnvironment environment = environment(Map.of("wharf.mode", mode));
            new ModeEnvironment().postProcessEnvironment(environment, new SpringApplication());
            assertThat(environment.getProperty("spring.autoconfigure.exclude")).isNull();
        }
        assertThat(ModeEnvironment.isNode(new StandardEnvironment())).isFalse();
    }
}
