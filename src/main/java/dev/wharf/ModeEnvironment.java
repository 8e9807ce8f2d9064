package dev.wharf;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * In {@code node} mode, adds the control plane's auto-configurations (JDBC, JPA, Flyway,
 * transactions, the default in-memory user, Thymeleaf's pages, springdoc's OpenAPI description) to {@code spring.autoconfigure.exclude}, keeping
 * whatever was excluded already. Runs after the configuration files were read, so
 * {@code wharf.mode} from application.yml, the command line or {@code WHARF_MODE} all count.
 */
public class ModeEnvironment implements EnvironmentPostProcessor, Ordered {

    static final String EXCLUDE = "spring.autoconfigure.exclude";

    /** What a node does without: every auto-configuration that needs a database or serves the control plane. */
    static final List<String> NODE_EXCLUDES = List.of(
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JndiDataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.metrics.HibernateMetricsAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration",
            "org.springframework.boot.data.autoconfigure.metrics.DataRepositoryMetricsAutoConfiguration",
            "org.springframework.boot.data.autoconfigure.web.DataWebAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayEndpointAutoConfiguration",
            "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
            "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration",
            "org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration",
            "org.springframework.boot.persistence.autoconfigure.PersistenceExceptionTranslationAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            // a node serves no pages and no OpenAPI description: its start and memory skip Thymeleaf and springdoc
            // (springdoc alone loads ~800 classes, Jackson 2 and Swagger's model among them)
            "org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration",
            "org.springdoc.core.configuration.SpringDocConfiguration",
            "org.springdoc.core.properties.SpringDocConfigProperties",
            "org.springdoc.core.configuration.SpringDocJavadocConfiguration",
            "org.springdoc.core.configuration.SpringDocGroovyConfiguration",
            "org.springdoc.core.configuration.SpringDocSecurityConfiguration",
            "org.springdoc.core.configuration.SpringDocFunctionCatalogConfiguration",
            "org.springdoc.core.configuration.SpringDocHateoasConfiguration",
            "org.springdoc.core.configuration.SpringDocPageableConfiguration",
            "org.springdoc.core.configuration.SpringDocSortConfiguration",
            "org.springdoc.core.configuration.SpringDocSpecPropertiesConfiguration",
            "org.springdoc.core.configuration.SpringDocDataRestConfiguration",
            "org.springdoc.core.configuration.SpringDocKotlinConfiguration",
            "org.springdoc.core.configuration.SpringDocKotlinxConfiguration",
            "org.springdoc.core.configuration.SpringDocJacksonKotlinModuleConfiguration",
            "org.springdoc.core.configuration.SpringDocWebServerConfiguration.EmbeddedWebServerConfiguration",
            "org.springdoc.core.configuration.SpringDocWebServerConfiguration.DeployedWebServerConfiguration",
            "org.springdoc.webmvc.core.configuration.SpringDocWebMvcConfiguration",
            "org.springdoc.webmvc.core.configuration.MultipleOpenApiSupportConfiguration",
            "org.springdoc.webmvc.ui.SwaggerConfig",
            "org.springdoc.core.properties.SwaggerUiConfigProperties",
            "org.springdoc.core.properties.SwaggerUiOAuthProperties");

    /** Whether {@code wharf.mode} says {@code node} (any case). */
    public static boolean isNode(Environment environment) {
        return environment != null && "node".equalsIgnoreCase(environment.getProperty("wharf.mode", "all").strip());
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!isNode(environment)) {
            return;
        }
        Set<String> excludes = new LinkedHashSet<>();
        for (String name : Binder.get(environment).bind(EXCLUDE, String[].class).orElse(new String[0])) {
            if (!name.isBlank()) {
                excludes.add(name.strip());
            }
        }
        excludes.addAll(NODE_EXCLUDES);
        environment.getPropertySources().addFirst(new MapPropertySource("wharfNodeMode", Map.of(EXCLUDE, String.join(",", excludes))));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
