package dev.wharf.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NofileLimitTests {

    private static final String LIMITS = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             95000                95000                processes
            Max open files            20000                20000                files
            Max locked memory         8388608              8388608              bytes
            """;

    private static String status(String capEff) {
        return "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\nCapBnd:\t" + capEff + "\n";
    }

    @Test
    void aRuntimeWithCapSysResourceGivesDockersLimit() {
        assertThat(NofileLimit.from(status("000001ffffffffff"), LIMITS)).isEqualTo(1_048_576);
    }

    @Test
    void withoutCapSysResourceContainersGetTheRuntimesOwnHardLimit() {
        assertThat(NofileLimit.from(status("000001fffeffffff"), LIMITS)).isEqualTo(20_000);
    }

    @Test
    void aHigherOrUnlimitedOwnLimitIsCappedAtDockersDefault() {
        String unlimited = LIMITS.replace("20000                20000", "20000                unlimited");
        String higher = LIMITS.replace("20000                20000", "20000                4194304");

        assertThat(NofileLimit.from(status("0000000000000000"), unlimited)).isEqualTo(1_048_576);
        assertThat(NofileLimit.from(status("0000000000000000"), higher)).isEqualTo(1_048_576);
    }
}
