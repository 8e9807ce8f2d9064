package dev.wharf.runtime.local;

import dev.wharf.runtime.api.RuntimeEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of a runtime's events; one that fails is logged and the others still hear the event. */
final class RuntimeEvents {

    private static final Logger log = LoggerFactory.getLogger(RuntimeEvents.class);

    private final List<Consumer<RuntimeEvent>> listeners = new CopyOnWriteArrayList<>();

    AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void publish(RuntimeEvent event) {
        for (Consumer<RuntimeEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("runtime event listener failed on {}", event, e);
            }
        }
    }
}
