package dev.wharf.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which subnet a team gets: the pool's first free one, kept on disk until the team is released. */
class SubnetLeasesTests {

    private static final Ipv4Subnet POOL = Ipv4Subnet.parse("10.89.0.0/16");

    @TempDir
    Path dir;

    @Test
    void theFirstFreeSubnetIsTheFirstOfThePool() {
        assertThat(SubnetLeases.firstFree(POOL, 24, List.of())).contains(Ipv4Subnet.parse("10.89.0.0/24"));
    }

    @Test
    void theFirstFreeSubnetSkipsTakenOnesAndFillsGaps() {
        List<Ipv4Subnet> taken = List.of(Ipv4Subnet.parse("10.89.0.0/24"), Ipv4Subnet.parse("10.89.2.0/24"));

        assertThat(SubnetLeases.firstFree(POOL, 24, taken)).contains(Ipv4Subnet.parse("10.89.1.0/24"));
    }

    @Test
    void aTakenSubnetLargerThanATeamsCoversSeveral() {
        List<Ipv4Subnet> taken = List.of(Ipv4Subnet.parse("10.89.0.0/23"));

        assertThat(SubnetLeases.firstFree(POOL, 24, taken)).contains(Ipv4Subnet.parse("10.89.2.0/24"));
    }

    @Test
    void aFullPoolHasNoFreeSubnet() {
        Ipv4Subnet pool = Ipv4Subnet.parse("10.89.0.0/23");
        List<Ipv4Subnet> taken = List.of(Ipv4Subnet.parse("10.89.0.0/24"), Ipv4Subnet.parse("10.89.1.0/24"));

        assertThat(SubnetLeases.firstFree(pool, 24, taken)).isEmpty();
    }

    @Test
    void aPoolThatIsNotAlignedStartsAtItsNetworkAddress() {
        Ipv4Subnet pool = Ipv4Subnet.parse("10.89.13.77/20");

        assertThat(pool.toString()).isEqualTo("10.89.0.0/20");
        assertThat(SubnetLeases.firstFree(pool, 24, List.of())).contains(Ipv4Subnet.parse("10.89.0.0/24"));
        assertThat(pool.count(24)).isEqualTo(16);
        assertThat(pool.child(24, 15).toString()).isEqualTo("10.89.15.0/24");
    }

    @Test
    void teamsGetSubnetsInOrderAndKeepThem() {
        SubnetLeases leases = leases(POOL);

        assertThat(leases.lease(7)).hasToString("10.89.0.0/24");
        assertThat(leases.lease(9)).hasToString("10.89.1.0/24");
        assertThat(leases.lease(7)).hasToString("10.89.0.0/24");
        assertThat(leases.get(9)).hasToString("10.89.1.0/24");
        assertThat(leases.get(8)).isNull();
        assertThat(leases.teams()).containsExactlyInAnyOrder(7L, 9L);
    }

    @Test
    void theLeasesOutliveTheProcess() throws Exception {
        leases(POOL).lease(7);
        leases(POOL).lease(9);

        assertThat(Files.readString(dir.resolve("teams/team-7.subnet"))).isEqualTo("10.89.0.0/24\n");
        SubnetLeases reopened = leases(POOL);
        assertThat(reopened.get(7)).hasToString("10.89.0.0/24");
        assertThat(reopened.lease(11)).hasToString("10.89.2.0/24");
    }

    @Test
    void aReleasedSubnetGoesToTheNextNewTeam() throws Exception {
        SubnetLeases leases = leases(POOL);
        leases.lease(1);
        leases.lease(2);
        leases.lease(3);

        leases.release(2);

        assertThat(leases.get(2)).isNull();
        assertThat(dir.resolve("teams/team-2.subnet")).doesNotExist();
        assertThat(leases.lease(4)).hasToString("10.89.1.0/24");
        assertThat(leases(POOL).teams()).containsExactlyInAnyOrder(1L, 3L, 4L);
    }

    @Test
    void anExhaustedPoolRefusesTheNextTeamAndWritesNothing() {
        SubnetLeases leases = leases(Ipv4Subnet.parse("10.89.0.0/23"));
        leases.lease(1);
        leases.lease(2);

        assertThatThrownBy(() -> leases.lease(3)).isInstanceOfSatisfying(RuntimeFailure.class, e -> {
            assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("the network pool 10.89.0.0/23 has no free /24 subnet left for team 3"
                    + " (wharf.runtime.network.pool)");
        });
        assertThat(dir.resolve("teams/team-3.subnet")).doesNotExist();
        assertThat(leases.get(3)).isNull();
    }

    private SubnetLeases leases(Ipv4Subnet pool) {
        SubnetLeases leases = new SubnetLeases(dir.resolve("teams"), pool, 24, new NetworkNames("wharf"));
        leases.open();
        return leases;
    }
}
