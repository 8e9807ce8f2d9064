package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The admin's range of host ports teams may publish on ({@code wharf.network.host-ports}). */
class HostPortRangeTests {

    @Test
    void parsesTheDefault() {
        HostPortRange range = HostPortRange.parse("1024-65535");

        assertThat(range.min()).isEqualTo(1024);
        assertThat(range.max()).isEqualTo(65535);
        assertThat(range).hasToString("1024-65535");
    }

    @Test
    void toleratesSpaces() {
        assertThat(HostPortRange.parse(" 8000 - 8999 ")).isEqualTo(new HostPortRange(8000, 8999));
    }

    @Test
    void oneNumberIsARangeOfOnePort() {
        HostPortRange range = HostPortRange.parse("8080");

        assertThat(range).isEqualTo(new HostPortRange(8080, 8080));
        assertThat(range.contains(8080)).isTrue();
        assertThat(range.contains(8081)).isFalse();
    }

    @Test
    void containsItsEndsAndWhatIsBetween() {
        HostPortRange range = HostPortRange.parse("8000-8999");

        assertThat(range.contains(8000)).isTrue();
        assertThat(range.contains(8500)).isTrue();
        assertThat(range.contains(8999)).isTrue();
        assertThat(range.contains(7999)).isFalse();
        assertThat(range.contains(9000)).isFalse();
        assertThat(HostPortRange.parse("1024-65535").contains(80)).isFalse();
        assertThat(HostPortRange.parse("1-65535").contains(80)).isTrue();
    }

    /** One range only: a list such as {@code 8000-8999,9000} is refused, not read in part. */
    @Test
    void refusesAList() {
        assertThatThrownBy(() -> HostPortRange.parse("8000-8999,9000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wharf.network.host-ports must be a range like 1024-65535, got 8000-8999,9000");
    }

    @Test
    void refusesBadInput() {
        for (String bad : new String[] {"", " ", "-", "abc", "-1024", "0-1024", "1024-65536", "9000-8000", "1-2-3",
                "1024..2048", "1e3-2000"}) {
            assertThatThrownBy(() -> HostPortRange.parse(bad)).as("\"" + bad + "\"").isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("wharf.network.host-ports must be a range like 1024-65535, got " + bad);
        }
    }

    @Test
    void aRangeIsBuiltOnlyInOrderAndWithinPortNumbers() {
        assertThatThrownBy(() -> new HostPortRange(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPortRange(10, 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPortRange(10, 9)).isInstanceOf(IllegalArgumentException.class);
    }
}
