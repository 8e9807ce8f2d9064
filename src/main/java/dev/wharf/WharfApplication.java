package dev.wharf;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Wharf: one artifact, three modes ({@code all}, {@code server}, {@code node}); see ARCHITECTURE.md. */
@SpringBootApplication
@ConfigurationPropertiesScan
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
