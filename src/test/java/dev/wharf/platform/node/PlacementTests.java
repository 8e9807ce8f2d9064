package dev.wharf.platform.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTests {

    private static final long GIB = 1L << 30;

    private static Placement.Candidate node(String name, NodeState state, int cpus, long memory, double usedCpus, long usedMemory,
            long teamContainers) {
        return new Placement.Candidate(name, state, state == NodeState.UP ? List.of() : List.of("not answering"),
                new NodeRegistry.Capacity(cpus, memory), new NodeUsage.Allocation(0, usedCpus, usedMemory, 0), teamContainers);
    }

    private static Placement.Candidate up(String name, long freeMemoryGib, long teamContainers) {
        return node(name, NodeState.UP, 8, 16 * GIB, 0, (16 - freeMemoryGib) * GIB, teamContainers);
    }

    @Test
    void onlyNodesThatAreUpTakeContainers() {
        List<Placement.Candidate> nodes = List.of(node("a", NodeState.DOWN, 8, 16 * GIB, 0, 0, 0),
                node("b", NodeState.JOINING, 8, 16 * GIB, 0, 0, 0), up("c", 1, 5));

        assertThat(Placement.choose(nodes, 1.0, GIB, null)).isEqualTo("c");
    }

    @Test
    void noNodeUpIsRefusedWithEachNodesReason() {
        List<Placement.Candidate> nodes = List.of(node("a", NodeState.DOWN, 8, 16 * GIB, 0, 0, 0));

        assertThatThrownBy(() -> Placement.choose(nodes, null, null, null)).isInstanceOfSatisfying(WharfException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("no node has room for this container: node a is down (not answering)");
        });
    }

    @Test
    void noNodeAtAllIsUnavailable() {
        assertThatThrownBy(() -> Placement.choose(List.of(), null, null, null)).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.getMessage()).isEqualTo("no node is available to run containers"));
    }

    @Test
    void aNodeWithoutRoomForTheDeclaredLimitsIsPassedOver() {
        List<Placement.Candidate> nodes = List.of(node("full-cpu", NodeState.UP, 2, 16 * GIB, 1.5, 0, 0),
                node("full-memory", NodeState.UP, 8, 4 * GIB, 0, 3 * GIB, 0), node("room", NodeState.UP, 8, 4 * GIB, 7, 2 * GIB, 9));

        assertThat(Placement.choose(nodes, 1.0, 2 * GIB, null)).isEqualTo("room");
        assertThatThrownBy(() -> Placement.choose(nodes, 1.0, 3 * GIB, null)).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.getMessage()).isEqualTo("no node has room for this container: node full-cpu has 0.5 of 2 cpus left;"
                        + " node full-memory has 1Gi of 4Gi memory left; node room has 2Gi of 4Gi memory left"));
    }

    @Test
    void limitsNotDeclaredAskForNoRoom() {
        List<Placement.Candidate> nodes = List.of(node("full", NodeState.UP, 1, GIB, 1, GIB, 0));

        assertThat(Placement.choose(nodes, null, null, null)).isEqualTo("full");
    }

    @Test
    void theNodeWithFewestOfTheTeamsContainersComesFirst() {
        List<Placement.Candidate> nodes = List.of(up("roomy", 15, 3), up("spread", 1, 1), up("busy", 10, 2));

        assertThat(Placement.choose(nodes, null, null, null)).isEqualTo("spread");
    }

    @Test
    void onATieTheNodeWithMostMemoryLeftComesFirst() {
        List<Placement.Candidate> nodes = List.of(up("a", 2, 1), up("b", 6, 1), up("c", 4, 1), up("d", 12, 2));

        assertThat(Placement.choose(nodes, null, null, null)).isEqualTo("b");
    }

    @Test
    void onAFullTieTheFirstNodeStays() {
        assertThat(Placement.choose(List.of(up("a", 4, 0), up("b", 4, 0)), null, null, null)).isEqualTo("a");
    }

    @Test
    void theVolumesNodeIsTheOnlyCandidate() {
        List<Placement.Candidate> nodes = List.of(up("a", 15, 0), up("b", 1, 4));

        assertThat(Placement.choose(nodes, null, null, "b")).isEqualTo("b");
        assertThatThrownBy(() -> Placement.choose(nodes, null, 2 * GIB, "b")).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.getMessage()).isEqualTo("no node has room for this container on node b, where its volumes are:"
                        + " node b has 1Gi of 16Gi memory left"));
        assertThatThrownBy(() -> Placement.choose(nodes, null, null, "gone")).isInstanceOfSatisfying(WharfException.class,
                e -> assertThat(e.getMessage()).isEqualTo("no node has room for this container on node gone, where its volumes are:"
                        + " node gone is not known"));
    }

    @Test
    void volumesOnOneNodePinTheContainerThere() {
        Map<String, String> volumes = Map.of("data", "b", "cache", "b");

        assertThat(Placement.volumesNode(List.of("data", "cache"), volumes::get)).isEqualTo("b");
        assertThat(Placement.volumesNode(List.of(), volumes::get)).isNull();
    }

    @Test
    void volumesOnTwoNodesAreAConflict() {
        Map<String, String> volumes = Map.of("data", "a", "cache", "b");

        assertThatThrownBy(() -> Placement.volumesNode(List.of("data", "cache"), volumes::get))
                .isInstanceOfSatisfying(WharfException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage()).isEqualTo("volumes \"data\" (node a) and \"cache\" (node b) are on different nodes;"
                            + " a container can mount volumes of one node only");
                });
    }
}
