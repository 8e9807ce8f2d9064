package dev.wharf.runtime.local;

import dev.wharf.runtime.api.RuntimeService;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the in-process runtime in {@code all} and {@code node} modes. */
@Configuration
@ConditionalOnExpression("'${wharf.mode:all}'.toLowerCase() != 'server'")
class RuntimeConfiguration {

    /** A {@link LocalRuntime}, or an {@link UnavailableRuntime} when this host cannot run containers. */
    @Bean(destroyMethod = "close")
    RuntimeService localRuntime(RuntimeSettings settings, Clock clock) {
        return LocalRuntime.onHost(settings, clock);
    }
}
