package dev.wharf.platform.quota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The quota bars a team page shows: used of limit, "unlimited", and the warning above 80%. */
class QuotaBarTests {

    @Test
    void barsShowUsageAgainstLimitsAndWarnNearTheLimit() {
        QuotaAdmission.QuotaView view = new QuotaAdmission.QuotaView(
                new QuotaAdmission.Amounts(2.0, 1L << 30, 100L, 5L, null),
                new QuotaAdmission.Amounts(0.5, 900L << 20, 81L, 4L, 0L),
                new QuotaAdmission.DefaultResources(null, null, null), true);
        assertThat(QuotaBar.of(view)).containsExactly(
                new QuotaBar("cpus", "0.5", "2", 25, false),
                new QuotaBar("memory", "900Mi", "1Gi", 88, true),
                new QuotaBar("pids", "81", "100", 81, true),
                new QuotaBar("containers", "4", "5", 80, false),
                new QuotaBar("storage", "0", "unlimited", -1, false));
        assertThat(QuotaBar.left(view)).containsExactly("cpus: 1.5 left", "memory: 124Mi left", "pids: 19 left", "containers: 1 left");
    }
}
