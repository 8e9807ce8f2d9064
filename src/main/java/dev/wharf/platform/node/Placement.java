package dev.wharf.platform.node;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where a container goes, as a pure rule over the nodes as they are now: one that is up and whose
 * capacity minus what is placed there holds the request; of those, the one with the fewest of the
 * team's containers (a team spreads over the nodes), then the one with the most memory left. The node
 * of the volumes the container mounts leaves only that node.
 */
public final class Placement {

    private Placement() {
    }

    /**
     * A node that might take the container.
     *
     * @param teamContainers how many of the requesting team's containers are placed there already
     */
    public record Candidate(String name, NodeState state, List<String> problems, NodeRegistry.Capacity capacity,
            NodeUsage.Allocation allocated, long teamContainers) {

        double freeCpus() {
            return capacity.cpus() - allocated.cpus();
        }

        long freeMemory() {
            return capacity.memoryBytes() - allocated.memoryBytes();
        }
    }

    /**
     * The name of the node a container of these declared limits goes to ({@code null} limits ask for nothing);
     * {@code volumesNode} (the node of the volumes it mounts, {@code null} when none) leaves only that node.
     * Refuses with a 503 problem that says, node by node, why none fits.
     */
    public static String choose(List<Candidate> nodes, Double cpus, Long memoryBytes, String volumesNode) {
        if (nodes.isEmpty()) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "no node is available to run containers");
        }
        List<String> reasons = new ArrayList<>();
        Candidate best = null;
        for (Candidate node : nodes) {
            if (volumesNode != null && !volumesNode.equals(node.name())) {
                continue;
            }
            if (node.state() != NodeState.UP) {
                reasons.add("node " + node.name() + " is " + node.state().value() + " (" + String.join("; ", node.problems()) + ")");
                continue;
            }
            double freeCpus = node.freeCpus();
            long freeMemory = node.freeMemory();
            if (cpus != null && cpus > freeCpus + 1e-9) {
                reasons.add("node " + node.name() + " has " + Quantities.formatCpus(Math.max(0, freeCpus)) + " of "
                        + node.capacity().cpus() + " cpus left");
            } else if (memoryBytes != null && memoryBytes > freeMemory) {
                reasons.add("node " + node.name() + " has " + Quantities.formatBytes(Math.max(0, freeMemory)) + " of "
                        + Quantities.formatBytes(node.capacity().memoryBytes()) + " memory left");
            } else if (best == null || better(node, best)) {
                best = node;
            }
        }
        if (best != null) {
            return best.name();
        }
        if (volumesNode != null && reasons.isEmpty()) {
            reasons.add("node " + volumesNode + " is not known");
        }
        throw new WharfException(ErrorCategory.UNAVAILABLE, "no node has room for this container"
                + (volumesNode == null ? "" : " on node " + volumesNode + ", where its volumes are") + ": " + String.join("; ", reasons));
    }

    /** Fewer of the team's containers first, then more free memory; on a tie the earlier node stays. */
    private static boolean better(Candidate candidate, Candidate best) {
        if (candidate.teamContainers() != best.teamContainers()) {
            return candidate.teamContainers() < best.teamContainers();
        }
        return candidate.freeMemory() > best.freeMemory();
    }

    /**
     * The one node the named volumes are on ({@code null} when there are none), looking each up in order with
     * {@code nodeOfVolume} (which refuses an unknown one); 409 when two of them are on different nodes: a
     * container mounts volumes of one node only.
     */
    public static String volumesNode(List<String> volumes, Function<String, String> nodeOfVolume) {
        String node = null;
        String first = null;
        for (String name : volumes) {
            String on = nodeOfVolume.apply(name);
            if (node != null && !node.equals(on)) {
                throw WharfException.conflict("volumes \"" + first + "\" (node " + node + ") and \"" + name + "\" (node "
                        + on + ") are on different nodes; a container can mount volumes of one node only");
            }
            node = on;
            first = first == null ? name : first;
        }
        return node;
    }
}
