package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Loopback;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Team networks on this host's kernel with Debian's CNI plugins: containers of one team talk by
 * name, another team's cannot reach them, published ports answer on loopback, taken host ports
 * are refused before anything starts, and addresses come back when containers go, also after a
 * crash. Every bridge, rule and namespace is the test's own (random bridge prefix and pool) and
 * removed afterwards; traffic stays on loopback and inside these namespaces.
 */
@Tag("root")
class TeamNetworkTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final AtomicLong IDS = new AtomicLong();
    static Path dataDir;
    static Path rootfs;
    static RuntimeSettings settings;
    static LocalRuntime runtime;
    final long teamA = 1;
    final long teamB = 2;

    @BeforeAll
    static void openRuntime() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the network tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent()
                && Files.isExecutable(Path.of("/usr/lib/cni/bridge")) && Executables.find("iptables").isPresent(),
                "runc, conmon, containernetworking-plugins and iptables are not installed");
        Prerequisites.require(BusyboxRootfs.available(), "busybox-static is not installed");
        dataDir = WorkDirs.create("wharf-network-test-");
        rootfs = BusyboxRootfs.create(Files.createDirectories(dataDir.resolve("busybox")));
        settings = TestRuntimes.settings(dataDir.resolve("node"), CGROUP_ROOT, 1_000_000, Set.of());
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(runtime.status().problems()).isEmpty();
    }

    @AfterEach
    void removeContainers() {
        for (ContainerInfo info : runtime.list()) {
            runtime.remove(info.id(), true);
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            runtime.close();
            String prefix = settings.network().bridgePrefix();
            assertThat(Commands.run(List.of("ip", "-o", "link"))).as("bridges left").doesNotContain(prefix);
            assertThat(Commands.run(List.of("iptables-save"))).as("rules left").doesNotContainIgnoringCase(prefix);
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (dataDir != null) {
            WorkDirs.delete(dataDir);
        }
    }

    private ContainerInfo run(long team, String name, NetworkSpec network, String... args) {
        runtime.applyTeamLimits(new TeamLimits(team, Resources.UNLIMITED));
        ContainerSpec spec = new ContainerSpec("net" + IDS.incrementAndGet() + "x" + System.nanoTime() % 100000, name, team,
                new Rootfs.Directory(rootfs), List.of(args), Map.of(), null, null, Resources.UNLIMITED, null, List.of(), network);
        runtime.create(spec);
        return runtime.start(spec.id());
    }

    private ContainerInfo pongServer(long team, String name, NetworkSpec network) {
        return run(team, name, network, "/bin/nc", "-ll", "-p", "9000", "-e", "/bin/echo", "pong");
    }

    private ExecResult sh(ContainerInfo container, String script) {
        return runtime.exec(container.id(), new ExecSpec(List.of("/bin/sh", "-c", script), null, null, Duration.ofSeconds(20)));
    }

    /** Asks the server until it answers (it may still be starting), at most ~5 s. */
    private String ask(ContainerInfo client, String host) {
        return sh(client, "for i in $(seq 1 25); do out=$(nc -w 2 " + host + " 9000 </dev/null) && [ -n \"$out\" ] && echo \"$out\" && exit 0;"
                + " sleep 0.2; done; exit 1").stdout().strip();
    }

    @Test
    void containersOfOneTeamTalkByNameAndAliasButAnotherTeamCannotReachThem() throws Exception {
        ContainerInfo web = pongServer(teamA, "web", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of("web.shop"), List.of()));
        ContainerInfo client = run(teamA, "client", NetworkSpec.TEAM, "/bin/sleep", "300");
        ContainerInfo stranger = run(teamB, "stranger", NetworkSpec.TEAM, "/bin/sleep", "300");

        assertThat(web.ipAddress()).isNotNull();
        assertThat(ask(client, "web")).isEqualTo("pong");
        assertThat(ask(client, "web.shop")).isEqualTo("pong");
        assertThat(ask(client, web.ipAddress())).isEqualTo("pong");
        assertThat(sh(client, "cat /etc/hosts").stdout()).contains(web.ipAddress() + "\tweb web.shop");

        // another team's container has an address in another subnet, and nothing gets through
        assertThat(stranger.ipAddress()).isNotNull();
        assertThat(stranger.ipAddress().substring(0, stranger.ipAddress().lastIndexOf('.')))
                .isNotEqualTo(web.ipAddress().substring(0, web.ipAddress().lastIndexOf('.')));
        ExecResult blocked = sh(stranger, "nc -w 2 " + web.ipAddress() + " 9000 </dev/null");
        assertThat(blocked.stdout()).doesNotContain("pong");
        assertThat(sh(stranger, "cat /etc/hosts").stdout()).doesNotContain("web").doesNotContain(web.ipAddress());
        assertThat(ask(client, "web")).as("the team's own traffic still flows").isEqualTo("pong");

        // the isolation chain is first in FORWARD, before the firewall plugin's accept chain
        String forward = Commands.run(List.of("iptables", "-w", "-S", "FORWARD"));
        String chain = settings.network().bridgePrefix().toUpperCase() + "-ISOLATION";
        assertThat(forward.lines().filter(l -> l.startsWith("-A FORWARD")).findFirst()).hasValue("-A FORWARD -j " + chain);
    }

    @Test
    void namesFollowContainersAsTheyComeAndGo() {
        ContainerInfo client = run(teamA, "client", NetworkSpec.TEAM, "/bin/sleep", "300");
        assertThat(sh(client, "cat /etc/hosts").stdout()).doesNotContain("db");
        ContainerInfo db = pongServer(teamA, "db", NetworkSpec.TEAM);
        assertThat(sh(client, "cat /etc/hosts").stdout()).contains(db.ipAddress() + "\tdb");
        assertThat(ask(client, "db")).isEqualTo("pong");
        runtime.remove(db.id(), true);
        assertThat(sh(client, "cat /etc/hosts").stdout()).doesNotContain("db");
    }

    @Test
    void publishedPortsAnswerOnLoopbackAndATakenPortIsRefusedBeforeAnythingStarts() throws Exception {
        int port = Loopback.freePort(1024, 65535);
        PortMapping mapping = new PortMapping(9000, port, "tcp", "127.0.0.1");
        ContainerInfo web = pongServer(teamA, "web", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(), List.of(mapping)));
        assertThat(Loopback.read(port)).isEqualTo("pong");

        // the same host port again: published by web; the second container is created but never runs
        assertThatThrownBy(() -> pongServer(teamB, "web2", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(), List.of(mapping))))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.ALREADY_EXISTS);
                    assertThat(f.getMessage()).contains("127.0.0.1:" + port + "/tcp");
                });

        // a port a host process listens on
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PortMapping busy = new PortMapping(9000, taken.getLocalPort(), "tcp", "0.0.0.0");
            assertThatThrownBy(() -> pongServer(teamA, "web3", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(), List.of(busy))))
                    .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.getMessage()).contains("already in use"));
        }
        assertThat(runtime.list()).filteredOn(c -> !c.id().equals(web.id())).allSatisfy(refused -> {
            assertThat(refused.state()).isEqualTo(dev.wharf.runtime.api.ContainerState.CREATED);
            assertThat(refused.ipAddress()).isNull();
            runtime.remove(refused.id(), true);
        });
        assertThat(leaseCount()).isEqualTo(1);
        assertThat(Loopback.read(port)).as("web still answers").isEqualTo("pong");

        // once web is gone, its port and address are free again
        runtime.remove(web.id(), true);
        assertThat(natRules()).doesNotContain("--dport " + port);
        ContainerInfo again = pongServer(teamB, "web4", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(), List.of(mapping)));
        assertThat(Loopback.read(port)).isEqualTo("pong");
        runtime.remove(again.id(), true);
    }

    @Test
    void outboundTrafficIsMasqueradedUnlessAnAdminTurnsItOff() throws Exception {
        // "outside": a network namespace of the test's own behind a veth pair, serving on 198.51.100.2:9000
        String outside = "wxo" + Long.toHexString(System.nanoTime() & 0xfffff);
        Commands.run(List.of("ip", "netns", "add", outside));
        Process server = null;
        try {
            Commands.run(List.of("ip", "link", "add", outside + "h", "type", "veth", "peer", "name", outside + "p"));
            Commands.run(List.of("ip", "link", "set", outside + "p", "netns", outside));
            Commands.run(List.of("ip", "addr", "add", "198.51.100.1/30", "dev", outside + "h"));
            Commands.run(List.of("ip", "link", "set", outside + "h", "up"));
            Commands.run(List.of("ip", "-n", outside, "addr", "add", "198.51.100.2/30", "dev", outside + "p"));
            Commands.run(List.of("ip", "-n", outside, "link", "set", outside + "p", "up"));
            server = new ProcessBuilder("ip", "netns", "exec", outside, "/bin/busybox", "nc", "-ll", "-p", "9000", "-e", "/bin/echo",
                    "outside").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();

            ContainerInfo client = run(teamA, "client", NetworkSpec.TEAM, "/bin/sleep", "300");
            assertThat(ask(client, "198.51.100.2")).isEqualTo("outside");

            runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED, false));
            assertThat(sh(client, "nc -w 2 198.51.100.2 9000 </dev/null").stdout()).doesNotContain("outside");
            ContainerInfo peer = pongServer(teamA, "peer", NetworkSpec.TEAM);
            assertThat(ask(client, "peer")).as("the team's own network still works").isEqualTo("pong");

            runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED, true));
            assertThat(ask(client, "198.51.100.2")).isEqualTo("outside");
            runtime.remove(peer.id(), true);
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor();
            }
            Commands.run(List.of("ip", "netns", "delete", outside)); // takes the veth pair with it
        }
    }

    @Test
    void aContainerReachesNoServiceOnAnyAddressOfTheHostWhileItsTeamAndPublishedPortsStillWork() throws Exception {
        // stands in for the Wharf API: a host service listening on every host address
        java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
        try (ServerSocket api = new ServerSocket()) {
            api.bind(new InetSocketAddress("0.0.0.0", 0));
            Thread acceptor = new Thread(() -> {
                while (!api.isClosed()) {
                    try (Socket s = api.accept()) {
                        reached.incrementAndGet();
                        s.getOutputStream().write("api\n".getBytes());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int published = Loopback.freePort(1024, 65535);
            ContainerInfo web = pongServer(teamA, "web", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(),
                    List.of(new PortMapping(9000, published, "tcp", "127.0.0.1"))));
            ContainerInfo client = run(teamA, "client", NetworkSpec.TEAM, "/bin/sleep", "300");
            ContainerInfo stranger = run(teamB, "stranger", NetworkSpec.TEAM, "/bin/sleep", "300");
            List<String> hostAddresses = new ArrayList<>(List.of(gateway(client), gateway(stranger)));
            String route = Commands.run(List.of("ip", "-4", "route", "get", "192.0.2.1"));
            java.util.regex.Matcher src = java.util.regex.Pattern.compile(" src (\\S+)").matcher(route);
            if (src.find()) {
                hostAddresses.add(src.group(1)); // the host's own LAN address
            }
            for (String address : hostAddresses) {
                try (Socket s = new Socket(address, api.getLocalPort())) {
                    assertThat(new String(s.getInputStream().readAllBytes()).strip()).as("the host reaches " + address).isEqualTo("api");
                }
            }
            int before = reached.get();

            StringBuilder script = new StringBuilder();
            for (String address : hostAddresses) {
                script.append("(nc -w 2 ").append(address).append(' ').append(api.getLocalPort()).append(" </dev/null; echo \"").append(address)
                        .append(" done\") & ");
            }
            ExecResult attempts = sh(client, script + "wait");
            assertThat(attempts.stdout()).as("connects from a container to %s", hostAddresses).doesNotContain("api");
            assertThat(reached.get()).as("the host service was never contacted").isEqualTo(before);

            assertThat(ask(client, "web")).as("a teammate is still reached").isEqualTo("pong");
            assertThat(Loopback.read(published)).as("a published port still answers from the host").isEqualTo("pong");
            // hairpin: a container reaches a teammate's port published on every host address through the host's address
            // (DNAT in PREROUTING sends it through FORWARD, never INPUT)
            int everywhere = Loopback.freePort(1024, 65535);
            ContainerInfo shop = pongServer(teamA, "shop", new NetworkSpec(NetworkSpec.Mode.TEAM, List.of(),
                    List.of(new PortMapping(9000, everywhere, "tcp", "0.0.0.0"))));
            String hairpin = sh(client, "for i in $(seq 1 25); do out=$(nc -w 2 " + gateway(client) + " " + everywhere
                    + " </dev/null) && [ -n \"$out\" ] && echo \"$out\" && exit 0; sleep 0.2; done; exit 1").stdout().strip();
            assertThat(hairpin).as("a teammate's published port through the host's address").isEqualTo("pong");
            runtime.remove(shop.id(), true);
            String input = Commands.run(List.of("iptables", "-w", "-S", "INPUT"));
            String chain = settings.network().bridgePrefix().toUpperCase() + "-INPUT";
            assertThat(input.lines().filter(l -> l.startsWith("-A INPUT")).findFirst()).hasValue("-A INPUT -j " + chain);
            runtime.remove(web.id(), true);
        }
    }

    /** The container's default gateway: its team's bridge address on the host. */
    private String gateway(ContainerInfo container) {
        return sh(container, "ip route | awk '/^default/ {print $3}'").stdout().strip();
    }

    @Test
    void linkLocalMetadataAddressesAreNotForwardedFromTeamBridges() throws Exception {
        // a metadata service of the test's own: 169.254.169.254 in a namespace behind a veth pair, routed from the host
        String outside = "wxm" + Long.toHexString(System.nanoTime() & 0xfffff);
        Commands.run(List.of("ip", "netns", "add", outside));
        Process server = null;
        try {
            Commands.run(List.of("ip", "link", "add", outside + "h", "type", "veth", "peer", "name", outside + "p"));
            Commands.run(List.of("ip", "link", "set", outside + "p", "netns", outside));
            Commands.run(List.of("ip", "addr", "add", "198.51.100.5/30", "dev", outside + "h"));
            Commands.run(List.of("ip", "link", "set", outside + "h", "up"));
            Commands.run(List.of("ip", "-n", outside, "addr", "add", "198.51.100.6/30", "dev", outside + "p"));
            Commands.run(List.of("ip", "-n", outside, "addr", "add", "169.254.169.254/32", "dev", outside + "p"));
            Commands.run(List.of("ip", "-n", outside, "link", "set", outside + "p", "up"));
            Commands.run(List.of("ip", "route", "add", "169.254.169.254/32", "via", "198.51.100.6", "dev", outside + "h"));
            server = new ProcessBuilder("ip", "netns", "exec", outside, "/bin/busybox", "nc", "-ll", "-p", "9000", "-e", "/bin/echo",
                    "metadata").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();

            ContainerInfo client = run(teamA, "client", NetworkSpec.TEAM, "/bin/sleep", "300");
            assertThat(ask(client, "198.51.100.6")).as("the same namespace on a routable address answers").isEqualTo("metadata");
            assertThat(sh(client, "nc -w 2 169.254.169.254 9000 </dev/null").stdout()).doesNotContain("metadata");
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor();
            }
            Commands.run(List.of("ip", "netns", "delete", outside)); // takes the veth pair and its route with it
        }
    }

    @Test
    void aForgottenTeamGivesBackItsBridgeRulesAndSubnet() throws Exception {
        long gone = 3;
        ContainerInfo last = run(gone, "last", NetworkSpec.TEAM, "/bin/sleep", "300");
        String bridge = settings.network().bridgePrefix() + gone;
        String subnet = last.ipAddress().substring(0, last.ipAddress().lastIndexOf('.'));
        assertThatThrownBy(() -> runtime.removeTeam(gone)).isInstanceOfSatisfying(RuntimeFailure.class,
                f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.FAILED_PRECONDITION));
        runtime.remove(last.id(), true);

        runtime.removeTeam(gone);
        assertThat(Commands.run(List.of("ip", "-o", "link"))).doesNotContain(" " + bridge + ":");
        assertThat(Commands.run(List.of("iptables-save"))).doesNotContain(" " + bridge + " ").doesNotContain("wharf team " + gone + "\"");
        assertThatThrownBy(() -> runtime.create(new ContainerSpec("x" + System.nanoTime() % 100000, "x", gone, new Rootfs.Directory(rootfs),
                List.of("/bin/true"), Map.of(), null, null, Resources.UNLIMITED, null, List.of(), NetworkSpec.TEAM)))
                .as("the team's limits are gone too").isInstanceOf(RuntimeFailure.class);

        // the freed subnet goes to the next team that needs one
        ContainerInfo next = run(4, "next", NetworkSpec.TEAM, "/bin/sleep", "300");
        assertThat(next.ipAddress()).startsWith(subnet + ".");
        runtime.remove(next.id(), true);
        runtime.removeTeam(4);
    }

    @Test
    void networkNoneHasLoopbackOnly() {
        ContainerInfo alone = run(teamA, "alone", NetworkSpec.NONE, "/bin/sleep", "300");
        assertThat(alone.ipAddress()).isNull();
        assertThat(sh(alone, "ls /sys/class/net").stdout().split("\\s+")).containsExactly("lo");
        assertThat(leaseCount()).isZero();
    }

    @Test
    void addressesAreReleasedWhenContainersExitOrGoAndReusedByTheNext() {
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(run(teamA, "c" + i, NetworkSpec.TEAM, "/bin/sleep", "300").id());
        }
        assertThat(leaseCount()).isEqualTo(3);
        first.forEach(id -> runtime.remove(id, true));
        assertThat(leaseCount()).isZero();

        // created and not started: no address; started: one
        ContainerSpec later = new ContainerSpec("later" + System.nanoTime() % 100000, "later", teamA, new Rootfs.Directory(rootfs),
                List.of("/bin/sleep", "300"), Map.of(), null, null, Resources.UNLIMITED, null, List.of(), NetworkSpec.TEAM);
        assertThat(runtime.create(later).ipAddress()).isNull();
        assertThat(leaseCount()).isZero();
        assertThat(runtime.start(later.id()).ipAddress()).isNotNull();
        assertThat(leaseCount()).isEqualTo(1);
        runtime.remove(later.id(), true);

        ContainerInfo quick = run(teamA, "quick", NetworkSpec.TEAM, "/bin/true");
        awaitExited(quick.id());
        assertThat(runtime.inspect(quick.id()).ipAddress()).isNull();
        assertThat(leaseCount()).isZero();
        // started again, it gets an address again
        assertThat(runtime.start(quick.id()).state()).isNotNull();
        awaitExited(quick.id());
        assertThat(leaseCount()).isZero();
    }

    @Test
    void aRestartedRuntimeReleasesWhatContainersThatDiedMeanwhileHeld() throws Exception {
        ContainerInfo victim = run(teamA, "victim", NetworkSpec.TEAM, "/bin/sleep", "300");
        ContainerInfo survivor = run(teamA, "survivor", NetworkSpec.TEAM, "/bin/sleep", "300");
        runtime.close(); // the server goes away (as if killed); containers keep running
        ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
        // a lease whose container the runtime never recorded (a crash in the middle of a create)
        Path ipamDir;
        try (Stream<Path> dirs = Files.list(settings.dataDir().resolve("network").resolve("ipam"))) {
            ipamDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        String orphanIp = survivor.ipAddress().substring(0, survivor.ipAddress().lastIndexOf('.')) + ".200";
        Files.writeString(ipamDir.resolve(orphanIp), "lostcontainer\r\neth0");
        Thread.sleep(500);

        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(runtime.inspect(victim.id()).ipAddress()).isNull();
        assertThat(runtime.inspect(survivor.id()).ipAddress()).isEqualTo(survivor.ipAddress());
        assertThat(Files.exists(ipamDir.resolve(orphanIp))).isFalse();
        assertThat(leaseCount()).isEqualTo(1);
        ContainerInfo next = run(teamA, "next", NetworkSpec.TEAM, "/bin/sleep", "300");
        assertThat(ask(next, "survivor")).isEmpty(); // survivor serves nothing, but the name resolves:
        assertThat(sh(next, "ping -c 1 -W 2 survivor >/dev/null 2>&1; grep survivor /etc/hosts").stdout()).contains(survivor.ipAddress());
    }

    private void awaitExited(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (runtime.inspect(id).state() != dev.wharf.runtime.api.ContainerState.EXITED) {
            assertThat(System.nanoTime()).as("exited within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private long leaseCount() {
        Path ipam = settings.dataDir().resolve("network").resolve("ipam");
        if (!Files.isDirectory(ipam)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(ipam, 2)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String natRules() throws Exception {
        return Commands.run(List.of("iptables", "-w", "-t", "nat", "-S"));
    }


}
