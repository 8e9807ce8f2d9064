package dev.wharf.runtime.network;

import java.util.Locale;

/**
 * How a node names the host things of its team networks, all derived from
 * {@code wharf.runtime.network.bridge-prefix}, so two runtimes on one host (tests) never touch
 * each other's.
 */
record NetworkNames(String prefix) {

    /** Team {@code N}'s Linux bridge: {@code <prefix>N}. */
    String bridge(long teamId) {
        return prefix + teamId;
    }

    /** Every team bridge, as an iptables interface wildcard: {@code <prefix>+}. */
    String bridges() {
        return prefix + "+";
    }

    /** The CNI network's name; host-local keeps the team's leases in {@code ipam/<name>}. */
    String network(long teamId) {
        return prefix + "-team-" + teamId;
    }

    /** Drops traffic between team bridges; first in FORWARD. */
    String isolationChain() {
        return chains() + "-ISOLATION";
    }

    /** Closes the host to team bridges; first in INPUT. */
    String inputChain() {
        return chains() + "-INPUT";
    }

    /** One masquerade rule per team with outbound connections; jumped to from POSTROUTING. */
    String masqueradeChain() {
        return chains() + "-MASQ";
    }

    private String chains() {
        return prefix.toUpperCase(Locale.ROOT);
    }
}
