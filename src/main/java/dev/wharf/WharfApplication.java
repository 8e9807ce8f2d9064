package dev.wharf;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Wharf: one artifact, three modes ({@code all}, {@code server}, {@code node}); see docs/architecture.md.
 * {@code @SpringBootApplication} spelled out, with one more scan filter: in {@code node} mode the
 * control plane ({@code dev.wharf.platform..}) is not scanned at all ({@link ModeScanFilter}), and
 * {@link ModeEnvironment} switches off its database auto-configuration. For the same reason only the
 * runtime's settings are found by scanning; a control-plane module enables its own settings
 * ({@code @EnableConfigurationProperties} on one of its configuration classes), so a node never binds them.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(excludeFilters = {
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = ModeScanFilter.class)})
@ConfigurationPropertiesScan("dev.wharf.runtime")
@EnableConfigurationProperties(WharfSettings.class)
public class WharfApplication {

    public static void main(String[] args) {
        SpringApplication.run(WharfApplication.class, args);
    }

    /** Microsecond ticks: what PostgreSQL and H2 store, so a time reads back as it was written. */
    @Bean
    Clock clock() {
        return Clock.tick(Clock.systemUTC(), java.time.Duration.ofNanos(1000));
    }
}
