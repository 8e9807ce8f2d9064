package dev.wharf.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.process.CommandRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The iptables commands the rules part runs for a team, recorded instead of run. */
class IptablesRulesTests {

    private static final Ipv4Subnet SUBNET = Ipv4Subnet.parse("10.89.3.0/24");

    private final Recorder iptables = new Recorder();
    private final IptablesRules rules = new IptablesRules(new NetworkNames("wt"), iptables);

    @Test
    void namesTheChainsAfterThePrefix() {
        NetworkNames names = new NetworkNames("wharf");

        assertThat(names.isolationChain()).isEqualTo("WHARF-ISOLATION");
        assertThat(names.inputChain()).isEqualTo("WHARF-INPUT");
        assertThat(names.masqueradeChain()).isEqualTo("WHARF-MASQ");
        assertThat(names.bridge(42)).isEqualTo("wharf42");
        assertThat(names.bridges()).isEqualTo("wharf+");
        assertThat(names.network(42)).isEqualTo("wharf-team-42");
    }

    @Test
    void theFirstTeamOnAFreshHostMakesTheChainsTheSharedRulesAndItsException() {
        rules.prepareTeam(7);

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t filter -S WT-ISOLATION",
                "iptables -w -t filter -N WT-ISOLATION",
                "iptables -w -t filter -C FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -I FORWARD 1 -j WT-ISOLATION",
                "iptables -w -t filter -C WT-ISOLATION -i wt+ -o wt+ -j DROP",
                "iptables -w -t filter -A WT-ISOLATION -i wt+ -o wt+ -j DROP",
                "iptables -w -t filter -C WT-ISOLATION -i wt+ -d 169.254.0.0/16 -j DROP",
                "iptables -w -t filter -A WT-ISOLATION -i wt+ -d 169.254.0.0/16 -j DROP",
                "iptables -w -t filter -S WT-INPUT",
                "iptables -w -t filter -N WT-INPUT",
                "iptables -w -t filter -C INPUT -j WT-INPUT",
                "iptables -w -t filter -I INPUT 1 -j WT-INPUT",
                "iptables -w -t filter -C WT-INPUT -i wt+ -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
                "iptables -w -t filter -F WT-INPUT",
                "iptables -w -t filter -A WT-INPUT -i wt+ -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
                "iptables -w -t filter -A WT-INPUT -i wt+ -j DROP",
                "iptables -w -t filter -C WT-ISOLATION -i wt7 -o wt7 -j RETURN",
                "iptables -w -t filter -I WT-ISOLATION 1 -i wt7 -o wt7 -j RETURN",
                "iptables -w -t nat -S WT-MASQ",
                "iptables -w -t nat -N WT-MASQ",
                "iptables -w -t nat -C POSTROUTING -j WT-MASQ",
                "iptables -w -t nat -I POSTROUTING 1 -j WT-MASQ");
    }

    @Test
    void whatIsThereAlreadyIsOnlyChecked() {
        iptables.everythingPresent = true;

        rules.prepareTeam(7);

        assertThat(iptables.commands).allMatch(c -> c.contains(" -S ") || c.contains(" -C ")).hasSize(11)
                .contains("iptables -w -t filter -C WT-INPUT -i wt+ -j DROP");
    }

    @Test
    void aChainMadeMeanwhileByAnotherProcessIsKept() {
        iptables.answer("iptables -w -t filter -N WT-ISOLATION", new CommandRunner.Result(1, "", "iptables: Chain already exists.", false));

        rules.prepareTeam(7);

        assertThat(iptables.commands).contains("iptables -w -t filter -I FORWARD 1 -j WT-ISOLATION");
    }

    @Test
    void aHalfClosedInputChainIsRebuilt() {
        iptables.present("iptables -w -t filter -C WT-INPUT -i wt+ -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN");

        rules.prepareTeam(7);

        assertThat(iptables.commands).containsSubsequence(
                "iptables -w -t filter -C WT-INPUT -i wt+ -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
                "iptables -w -t filter -C WT-INPUT -i wt+ -j DROP",
                "iptables -w -t filter -F WT-INPUT",
                "iptables -w -t filter -A WT-INPUT -i wt+ -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
                "iptables -w -t filter -A WT-INPUT -i wt+ -j DROP");
    }

    @Test
    void outboundOnMasqueradesTheTeamsSubnet() {
        rules.setOutbound(7, SUBNET, true);

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t nat -C WT-MASQ -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m comment --comment wharf team 7 -j MASQUERADE",
                "iptables -w -t nat -I WT-MASQ 1 -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m comment --comment wharf team 7 -j MASQUERADE",
                "iptables -w -t filter -C WT-ISOLATION -i wt7 ! -o wt7 -m conntrack --ctstate NEW -m comment --comment wharf team 7"
                        + " -j DROP");
        assertThat(iptables.arguments.get(1)).containsSubsequence("--comment", "wharf team 7", "-j", "MASQUERADE");
    }

    @Test
    void outboundOffDropsNewConnectionsLeavingTheBridgeAndStopsMasquerading() {
        iptables.everythingPresent = true;
        iptables.absent("iptables -w -t filter -C WT-ISOLATION -i wt7 ! -o wt7 -m conntrack --ctstate NEW -m comment --comment wharf team 7"
                + " -j DROP");

        rules.setOutbound(7, SUBNET, false);

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t nat -C WT-MASQ -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m comment --comment wharf team 7 -j MASQUERADE",
                "iptables -w -t nat -D WT-MASQ -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m comment --comment wharf team 7 -j MASQUERADE",
                "iptables -w -t filter -C WT-ISOLATION -i wt7 ! -o wt7 -m conntrack --ctstate NEW -m comment --comment wharf team 7"
                        + " -j DROP",
                "iptables -w -t filter -I WT-ISOLATION 1 -i wt7 ! -o wt7 -m conntrack --ctstate NEW -m comment --comment wharf team 7"
                        + " -j DROP");
    }

    @Test
    void removingATeamDeletesOnlyItsOwnRules() {
        rules.removeTeam(7, SUBNET);

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t nat -D WT-MASQ -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m comment --comment wharf team 7 -j MASQUERADE",
                "iptables -w -t filter -D WT-ISOLATION -i wt7 ! -o wt7 -m conntrack --ctstate NEW -m comment --comment wharf team 7"
                        + " -j DROP",
                "iptables -w -t filter -D WT-ISOLATION -i wt7 -o wt7 -j RETURN");
    }

    @Test
    void isolationIsPutBackFirstInForwardOnlyWhenSomethingWentBeforeIt() {
        iptables.answer("iptables -w -t filter -S FORWARD", new CommandRunner.Result(0,
                "-P FORWARD DROP\n-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD\n-A FORWARD -j WT-ISOLATION\n",
                "", false));
        iptables.present("iptables -w -t filter -D FORWARD -j WT-ISOLATION", 1);

        rules.keepIsolationFirst();
        rules.keepIsolationFirst();

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t filter -S FORWARD",
                "iptables -w -t filter -D FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -D FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -I FORWARD 1 -j WT-ISOLATION");
    }

    @Test
    void isolationAlreadyFirstIsLeftAlone() {
        iptables.answer("iptables -w -t filter -S FORWARD", new CommandRunner.Result(0,
                "-P FORWARD ACCEPT\n-A FORWARD -j WT-ISOLATION\n-A FORWARD -j CNI-FORWARD\n", "", false));

        rules.keepIsolationFirst();

        assertThat(iptables.commands).containsExactly("iptables -w -t filter -S FORWARD");
    }

    @Test
    void removingAllDeletesEveryJumpThenFlushesAndDeletesTheChains() {
        iptables.present("iptables -w -t filter -D FORWARD -j WT-ISOLATION", 2);

        rules.removeAll();

        assertThat(iptables.commands).containsExactly(
                "iptables -w -t filter -D FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -D FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -D FORWARD -j WT-ISOLATION",
                "iptables -w -t filter -F WT-ISOLATION",
                "iptables -w -t filter -X WT-ISOLATION",
                "iptables -w -t filter -D INPUT -j WT-INPUT",
                "iptables -w -t filter -F WT-INPUT",
                "iptables -w -t filter -X WT-INPUT",
                "iptables -w -t nat -D POSTROUTING -j WT-MASQ",
                "iptables -w -t nat -F WT-MASQ",
                "iptables -w -t nat -X WT-MASQ");
    }

    @Test
    void aRuleThatCannotBeAddedFailsWithIptablesReason() {
        iptables.answer("iptables -w -t filter -A WT-ISOLATION -i wt+ -o wt+ -j DROP",
                new CommandRunner.Result(4, "", "iptables v1.8.9: can't initialize iptables table `filter'", false));

        assertThatThrownBy(() -> rules.prepareTeam(7)).isInstanceOfSatisfying(RuntimeFailure.class, e -> {
            assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.INTERNAL);
            assertThat(e.getMessage()).isEqualTo("network: cannot add the team isolation rule: iptables v1.8.9: can't initialize"
                    + " iptables table `filter'");
        });
    }

    /**
     * Records commands. A check ({@code -C}, {@code -S}) or a delete ({@code -D}) fails unless told the thing is
     * there; every other command succeeds unless given another answer.
     */
    static final class Recorder implements HostCommands {
        final List<String> commands = new ArrayList<>();
        final List<List<String>> arguments = new ArrayList<>();
        /** every check and delete succeeds, except those named absent */
        boolean everythingPresent;
        private final Set<String> absent = new HashSet<>();
        /** how many more times a check or delete succeeds */
        private final Map<String, Integer> present = new HashMap<>();
        private final Map<String, CommandRunner.Result> answers = new HashMap<>();

        void present(String command) {
            present(command, Integer.MAX_VALUE);
        }

        void present(String command, int times) {
            present.put(command, times);
        }

        void absent(String command) {
            absent.add(command);
        }

        void answer(String command, CommandRunner.Result result) {
            answers.put(command, result);
        }

        @Override
        public CommandRunner.Result run(List<String> command) {
            String line = String.join(" ", command);
            commands.add(line);
            arguments.add(List.copyOf(command));
            if (answers.containsKey(line)) {
                return answers.get(line);
            }
            if (!List.of("-C", "-S", "-D").contains(command.get(4))) {
                return new CommandRunner.Result(0, "", "", false);
            }
            int left = present.getOrDefault(line, everythingPresent && !absent.contains(line) ? Integer.MAX_VALUE : 0);
            if (left == 0) {
                return new CommandRunner.Result(1, "", "iptables: Bad rule (does a matching rule exist in that chain?).", false);
            }
            if (left != Integer.MAX_VALUE) {
                present.put(line, left - 1);
            }
            return new CommandRunner.Result(0, "", "", false);
        }
    }
}
