package dev.wharf.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import org.junit.jupiter.api.Test;

/** The CIDR arithmetic team subnets are cut with. */
class Ipv4SubnetTests {

    @Test
    void parsesAndPrintsCidr() {
        Ipv4Subnet subnet = Ipv4Subnet.parse(" 10.89.0.0/16 ");

        assertThat(subnet.toString()).isEqualTo("10.89.0.0/16");
        assertThat(subnet.prefix()).isEqualTo(16);
        assertThat(subnet.base()).isEqualTo(Ipv4Subnet.address("10.89.0.0"));
    }

    @Test
    void dropsHostBitsOfTheBase() {
        assertThat(Ipv4Subnet.parse("10.89.7.9/16").toString()).isEqualTo("10.89.0.0/16");
        assertThat(Ipv4Subnet.parse("192.168.1.77/24").toString()).isEqualTo("192.168.1.0/24");
    }

    @Test
    void refusesWhatIsNotASubnet() {
        for (String bad : new String[] {"10.89.0.0", "10.89.0.0/x", "10.89.0/16", "10.89.0.256/16", "10.89.0.0/7", "10.89.0.0/31",
                "10.89.0.0/16/1"}) {
            assertThatThrownBy(() -> Ipv4Subnet.parse(bad)).as(bad).isInstanceOfSatisfying(RuntimeFailure.class,
                    e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        }
    }

    @Test
    void formatsAddresses() {
        assertThat(Ipv4Subnet.format(Ipv4Subnet.address("255.0.128.1"))).isEqualTo("255.0.128.1");
        assertThat(Ipv4Subnet.format(Ipv4Subnet.address("0.0.0.0"))).isEqualTo("0.0.0.0");
    }

    @Test
    void countsAndCutsChildren() {
        Ipv4Subnet pool = Ipv4Subnet.parse("10.89.0.0/16");

        assertThat(pool.count(24)).isEqualTo(256);
        assertThat(pool.count(16)).isEqualTo(1);
        assertThat(pool.child(24, 0).toString()).isEqualTo("10.89.0.0/24");
        assertThat(pool.child(24, 3).toString()).isEqualTo("10.89.3.0/24");
        assertThat(pool.child(24, 255).toString()).isEqualTo("10.89.255.0/24");
        assertThat(pool.child(26, 5).toString()).isEqualTo("10.89.1.64/26");
    }

    @Test
    void aChildLargerThanThePoolDoesNotFit() {
        assertThatThrownBy(() -> Ipv4Subnet.parse("10.89.0.0/24").count(16)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("does not fit in the pool 10.89.0.0/24");
    }

    @Test
    void theGatewayIsTheFirstAddress() {
        assertThat(Ipv4Subnet.parse("10.89.3.0/24").gateway()).isEqualTo("10.89.3.1");
    }

    @Test
    void overlapsWhenOneHoldsTheOther() {
        Ipv4Subnet pool = Ipv4Subnet.parse("10.89.0.0/16");

        assertThat(pool.overlaps(Ipv4Subnet.parse("10.89.4.0/24"))).isTrue();
        assertThat(Ipv4Subnet.parse("10.89.4.0/24").overlaps(pool)).isTrue();
        assertThat(Ipv4Subnet.parse("10.89.4.0/24").overlaps(Ipv4Subnet.parse("10.89.5.0/24"))).isFalse();
        assertThat(pool.overlaps(Ipv4Subnet.parse("10.90.0.0/24"))).isFalse();
    }
}
