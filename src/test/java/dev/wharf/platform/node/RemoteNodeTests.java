package dev.wharf.platform.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.NodeStatus;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the nodes list says about a joined node, from its last heartbeat. */
class RemoteNodeTests {

    private static RemoteNode node() {
        return new RemoteNode("n1", URI.create("https://n1:8443"), null, Instant.EPOCH);
    }

    @Test
    void aNodeThatIsUpStillShowsWhatKeepsSomeContainersFromRunningThere() {
        RemoteNode node = node();
        node.status = new NodeStatus(true, List.of("the init for containers with init: true is missing: install the tini package"), 2,
                1L << 30, "v2");
        node.failure = null;
        node.up = true;

        assertThat(node.state()).isEqualTo(NodeState.UP);
        assertThat(node.problems()).singleElement().asString().contains("tini package");
    }

    @Test
    void aNodeThatIsDownShowsWhyAndOneThatIsFineShowsNothing() {
        RemoteNode down = node();
        down.status = new NodeStatus(false, List.of("runc not found (runc): install the runc package"), 2, 1L << 30, "v2");
        down.failure = null;
        assertThat(down.state()).isEqualTo(NodeState.DOWN);
        assertThat(down.problems()).containsExactly("runc not found (runc): install the runc package");

        RemoteNode silent = node();
        silent.failure = "not answering: connection refused";
        assertThat(silent.problems()).containsExactly("not answering: connection refused");

        RemoteNode fine = node();
        fine.status = new NodeStatus(true, List.of(), 2, 1L << 30, "v2");
        fine.failure = null;
        fine.up = true;
        assertThat(fine.problems()).isEmpty();
    }
}
