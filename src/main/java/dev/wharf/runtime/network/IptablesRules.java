package dev.wharf.runtime.network;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.process.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The node's iptables rules for team networks. Traffic from one team's bridge to another's is
 * dropped in {@code <PREFIX>-ISOLATION}, which stays first in FORWARD; so are link-local
 * destinations (169.254.0.0/16: cloud metadata services). Outbound traffic of a team is
 * masqueraded by one rule per team in {@code <PREFIX>-MASQ} (not per container, so nothing is left
 * behind when a container's namespace is already gone), or, when an admin turned it off, new
 * connections leaving the team's bridge are dropped. The host itself is closed to containers:
 * {@code <PREFIX>-INPUT}, first in INPUT, lets in from the teams' bridges only replies to
 * connections the host opened (conntrack ESTABLISHED,RELATED) and drops everything else.
 * Published ports still work: DNAT happens in PREROUTING, so that traffic goes through FORWARD,
 * not INPUT.
 */
final class IptablesRules {

    private final NetworkNames names;
    private final HostCommands commands;
    /** when FORWARD's order was last checked (System.nanoTime); 0: not yet */
    private volatile long orderCheckedAt;

    IptablesRules(NetworkNames names, HostCommands commands) {
        this.names = names;
        this.commands = commands;
    }

    /** Lets the team's containers talk to each other across its own bridge; first in the isolation chain. */
    List<String> sameTeamRule(long teamId) {
        String bridge = names.bridge(teamId);
        return List.of("-i", bridge, "-o", bridge, "-j", "RETURN");
    }

    /** Masquerades what the team's subnet sends beyond it. */
    static List<String> masqueradeRule(long teamId, Ipv4Subnet subnet) {
        return List.of("-s", subnet.toString(), "!", "-d", subnet.toString(), "-m", "comment", "--comment", "wharf team " + teamId,
                "-j", "MASQUERADE");
    }

    /** Drops new connections leaving the team's bridge (its outbound switch off). */
    List<String> blockRule(long teamId) {
        String bridge = names.bridge(teamId);
        return List.of("-i", bridge, "!", "-o", bridge, "-m", "conntrack", "--ctstate", "NEW", "-m", "comment",
                "--comment", "wharf team " + teamId, "-j", "DROP");
    }

    /**
     * Makes the chains and their jumps when missing, the rules every team shares, and the team's own
     * exception to isolation. Idempotent: each rule is checked ({@code -C}) before it is added.
     */
    void prepareTeam(long teamId) {
        ensureChain("filter", names.isolationChain(), "FORWARD");
        String wildcard = names.bridges();
        List<String> drop = List.of("-i", wildcard, "-o", wildcard, "-j", "DROP");
        if (!iptables("filter", "-C", names.isolationChain(), drop).ok()) {
            require(iptables("filter", "-A", names.isolationChain(), drop), "add the team isolation rule");
        }
        List<String> linkLocal = List.of("-i", wildcard, "-d", "169.254.0.0/16", "-j", "DROP");
        if (!iptables("filter", "-C", names.isolationChain(), linkLocal).ok()) {
            require(iptables("filter", "-A", names.isolationChain(), linkLocal), "drop link-local destinations from team bridges");
        }
        closeHost(wildcard);
        List<String> sameTeam = sameTeamRule(teamId);
        if (!iptables("filter", "-C", names.isolationChain(), sameTeam).ok()) {
            require(iptables("filter", "-I", names.isolationChain(), first(sameTeam)), "let team " + teamId + " talk to itself");
        }
        ensureChain("nat", names.masqueradeChain(), "POSTROUTING");
    }

    /** On: the team's traffic is masqueraded. Off: not, and new connections leaving its bridge are dropped. */
    void setOutbound(long teamId, Ipv4Subnet subnet, boolean enabled) {
        toggle("nat", names.masqueradeChain(), masqueradeRule(teamId, subnet), enabled, "masquerade team " + teamId);
        toggle("filter", names.isolationChain(), blockRule(teamId), !enabled, "block outbound connections of team " + teamId);
    }

    /** Removes the team's own rules (the shared ones stay). */
    void removeTeam(long teamId, Ipv4Subnet subnet) {
        iptables("nat", "-D", names.masqueradeChain(), masqueradeRule(teamId, subnet));
        iptables("filter", "-D", names.isolationChain(), blockRule(teamId));
        iptables("filter", "-D", names.isolationChain(), sameTeamRule(teamId));
    }

    /** Removes the chains, their rules and every jump to them. */
    void removeAll() {
        for (String[] chain : List.of(new String[] {"filter", names.isolationChain(), "FORWARD"},
                new String[] {"filter", names.inputChain(), "INPUT"}, new String[] {"nat", names.masqueradeChain(), "POSTROUTING"})) {
            while (iptables(chain[0], "-D", chain[2], List.of("-j", chain[1])).ok()) {
                // every jump
            }
            iptables(chain[0], "-F", chain[1], List.of());
            iptables(chain[0], "-X", chain[1], List.of());
        }
        orderCheckedAt = 0;
    }

    private void toggle(String table, String chain, List<String> rule, boolean wanted, String what) {
        boolean present = iptables(table, "-C", chain, rule).ok();
        if (wanted && !present) {
            require(iptables(table, "-I", chain, first(rule)), what);
        } else if (!wanted && present) {
            require(iptables(table, "-D", chain, rule), "undo: " + what);
        }
    }

    /** The host's own addresses answer a team's bridge only with replies: {@code <PREFIX>-INPUT}, jumped to first from INPUT. */
    private void closeHost(String bridges) {
        String inputChain = names.inputChain();
        ensureChain("filter", inputChain, "INPUT");
        List<String> replies = List.of("-i", bridges, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN");
        List<String> rest = List.of("-i", bridges, "-j", "DROP");
        if (!iptables("filter", "-C", inputChain, replies).ok() || !iptables("filter", "-C", inputChain, rest).ok()) {
            require(iptables("filter", "-F", inputChain, List.of()), "reset " + inputChain);
            require(iptables("filter", "-A", inputChain, replies), "let replies from team bridges in to the host");
            require(iptables("filter", "-A", inputChain, rest), "close the host to team bridges");
        }
    }

    private void ensureChain(String table, String chain, String from) {
        if (!commands.run(List.of("iptables", "-w", "-t", table, "-S", chain)).ok()) {
            CommandRunner.Result created = commands.run(List.of("iptables", "-w", "-t", table, "-N", chain));
            if (!created.ok() && !created.stderr().contains("exists")) {
                throw failure("create the iptables chain " + chain, created);
            }
        }
        if (!iptables(table, "-C", from, List.of("-j", chain)).ok()) {
            require(iptables(table, "-I", from, List.of("1", "-j", chain)), "jump from " + from + " to " + chain);
        }
    }

    /**
     * The firewall plugin puts its accept chain first in FORWARD when it first runs (and other
     * tools, like Docker, put theirs first when they start); isolation must come before them.
     * Checked after the first attach and then at most every 30 s, not on every container start.
     */
    void keepIsolationFirst() {
        long now = System.nanoTime();
        if (orderCheckedAt != 0 && now - orderCheckedAt < Duration.ofSeconds(30).toNanos()) {
            return;
        }
        orderCheckedAt = now;
        String isolationChain = names.isolationChain();
        CommandRunner.Result rules = commands.run(List.of("iptables", "-w", "-t", "filter", "-S", "FORWARD"));
        List<String> lines = rules.stdout().lines().filter(l -> l.startsWith("-A FORWARD")).toList();
        if (!lines.isEmpty() && lines.get(0).equals("-A FORWARD -j " + isolationChain)) {
            return;
        }
        while (iptables("filter", "-D", "FORWARD", List.of("-j", isolationChain)).ok()) {
            // remove every copy, then put one first
        }
        require(iptables("filter", "-I", "FORWARD", List.of("1", "-j", isolationChain)), "keep " + isolationChain + " first in FORWARD");
    }

    private static List<String> first(List<String> rule) {
        return Stream.concat(Stream.of("1"), rule.stream()).toList();
    }

    private CommandRunner.Result iptables(String table, String action, String chain, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", table, action, chain));
        command.addAll(rule);
        return commands.run(command);
    }

    private static void require(CommandRunner.Result result, String what) {
        if (!result.ok()) {
            throw failure(what, result);
        }
    }

    static RuntimeFailure failure(String what, CommandRunner.Result result) {
        return new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "network: cannot " + what + ": " + result.reason());
    }
}
