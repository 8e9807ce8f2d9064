package dev.wharf.platform.workload;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.wharf.WharfSettings;
import dev.wharf.platform.node.Leases;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node speaks only for its own containers: the reconciler hears node-1's event stream (a fake
 * event source), and an exit, a start or a health change that node-1 reports for a container placed on
 * node-2 changes nothing, while node-1's exit of its own container is recorded.
 */
class NodeEventsTests {

    private final ContainerRepository containers = mock(ContainerRepository.class);
    private final ContainerManagement management = mock(ContainerManagement.class);
    private final NodeRegistry nodes = mock(NodeRegistry.class);
    private final RuntimeService nodeOne = mock(RuntimeService.class);
    private final AtomicReference<Consumer<RuntimeEvent>> stream = new AtomicReference<>();
    private final Reconciler reconciler = new Reconciler(containers, management, nodes, mock(StorageMeter.class), mock(Leases.class),
            new WharfSettings(WharfSettings.Mode.ALL, Path.of("/nonexistent"), new WharfSettings.Security(true, WharfSettings.LocalLogin.ALL)),
            Duration.ofHours(1), Duration.ofHours(1), tools.jackson.databind.json.JsonMapper.builder().build(),
            mock(dev.wharf.platform.audit.AuditLog.class), mock(dev.wharf.platform.team.TeamManagement.class));

    @AfterEach
    void stop() {
        reconciler.stop();
    }

    @Test
    void anExitReportedByOneNodeForAContainerOnAnotherIsIgnored() throws Exception {
        when(nodes.names()).thenReturn(List.of("node-1", "node-2"));
        when(nodes.joinedNames()).thenReturn(List.of("node-1", "node-2"));
        when(nodes.isUp(anyString())).thenReturn(true);
        when(nodes.runtime("node-1")).thenReturn(nodeOne);
        when(nodes.runtime("node-2")).thenReturn(mock(RuntimeService.class));
        when(nodeOne.subscribe(any())).thenAnswer(call -> {
            stream.set(call.getArgument(0));
            return (AutoCloseable) () -> { };
        });
        Container elsewhere = placed("node-2");
        Container own = placed("node-1");
        when(containers.findById("onnodetwo")).thenReturn(Optional.of(elsewhere));
        when(containers.findById("onnodeone")).thenReturn(Optional.of(own));
        when(containers.existsById(anyString())).thenReturn(true);
        when(management.update(anyString(), any())).thenReturn(own);

        reconciler.reconcile(); // this replica leads (all-in-one) and subscribes to both nodes
        Consumer<RuntimeEvent> nodeOneEvents = stream.get();
        org.assertj.core.api.Assertions.assertThat(nodeOneEvents).as("node-1's events are heard").isNotNull();

        nodeOneEvents.accept(new RuntimeEvent.ContainerExited("onnodetwo", Instant.now(), 137, true));
        nodeOneEvents.accept(new RuntimeEvent.ContainerStarted("onnodetwo", Instant.now()));
        nodeOneEvents.accept(new RuntimeEvent.ContainerHealthChanged("onnodetwo", Instant.now(),
                new dev.wharf.runtime.api.Health(dev.wharf.runtime.api.Health.Status.UNHEALTHY, 3, List.of())));
        nodeOneEvents.accept(new RuntimeEvent.ContainerExited("onnodeone", Instant.now(), 3, false));

        // events are handled in order on one thread: once node-1's own exit is recorded, the others were handled before it
        verify(management, timeout(5_000)).update(eq("onnodeone"), any());
        verify(management, never()).update(eq("onnodetwo"), any());
        verify(containers, never()).existsById("onnodetwo");
    }

    private static Container placed(String node) {
        Container container = mock(Container.class);
        when(container.getNode()).thenReturn(node);
        when(container.getState()).thenReturn(Container.State.EXITED);
        when(container.getDesiredState()).thenReturn(Container.DesiredState.STOPPED);
        when(container.getRestartPolicy()).thenReturn(RestartPolicy.parse("no"));
        return container;
    }
}
