package dev.wharf.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** docs/api.md's quantities: what a request may say for bytes and cores, and what it is told when it says it wrong. */
class QuantitiesTests {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "100, 100",
            "1Ki, 1024",
            "256Mi, 268435456",
            "2Gi, 2147483648",
            "1Ti, 1099511627776",
            "1Pi, 1125899906842624",
            "1.5Ki, 1536",
            "0.5Gi, 536870912",
            "' 64Mi ', 67108864",
            "'64 Mi', 67108864"})
    void bytesAreACountOrANumberWithABinarySuffix(String value, long bytes) {
        assertThat(Quantities.bytes("memory", value)).isEqualTo(bytes);
    }

    @Test
    void missingBytesStayMissing() {
        assertThat(Quantities.bytes("memory", null)).isNull();
        assertThat(Quantities.bytes("memory", "  ")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "256M", "256mi", "1Ei", "-1", "1e6", "Mi", "1 2"})
    void bytesThatAreNotAQuantityNameTheFieldAndTheRule(String value) {
        assertThatThrownBy(() -> Quantities.bytes("memory", value))
                .isInstanceOfSatisfying(WharfException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("memory must be a byte count or a number with Ki, Mi, Gi or Ti, like \"256Mi\"; got \""
                            + value + "\"");
                    assertThat(e.properties()).containsKey("errors");
                    assertThat(e.properties().get("errors").toString()).contains("memory");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3", "1.1Ki", "99999999999999Pi"})
    void bytesMustBeAWholeNumberThatFitsInALong(String value) {
        assertThatThrownBy(() -> Quantities.bytes("storage", value))
                .isInstanceOf(WharfException.class)
                .hasMessage("storage must be a whole number of bytes; got \"" + value + "\"");
    }

    @Test
    void cpusArePositiveCoresUpTo4096() {
        assertThat(Quantities.cpus("cpus", null)).isNull();
        assertThat(Quantities.cpus("cpus", 0.5)).isEqualTo(0.5);
        assertThat(Quantities.cpus("cpus", 4096.0)).isEqualTo(4096.0);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, 4096.5, Double.NaN})
    void cpusOutsideTheRangeAreRefused(double value) {
        assertThatThrownBy(() -> Quantities.cpus("cpus", value))
                .isInstanceOfSatisfying(WharfException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_ARGUMENT))
                .hasMessage("cpus must be a positive number of cores, like 0.5; got " + value);
    }

    @Test
    void countsMayBeZeroButNotNegative() {
        assertThat(Quantities.count("pids", null)).isNull();
        assertThat(Quantities.count("pids", 0L)).isZero();
        assertThatThrownBy(() -> Quantities.count("pids", -3L)).isInstanceOf(WharfException.class)
                .hasMessage("pids must not be negative; got -3");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1023, 1023",
            "1024, 1Ki",
            "268435456, 256Mi",
            "4026531840, 3.75Gi",
            "1099511627776, 1Ti",
            "1610612736, 1.5Gi",
            "1073741825, 1Gi"})
    void bytesAreWrittenInTheLargestWholeUnitToTwoDecimals(long bytes, String text) {
        assertThat(Quantities.formatBytes(bytes)).isEqualTo(text);
    }

    @Test
    void formattedBytesReadBackToTheSameCount() {
        for (long bytes : new long[] {512, 1L << 20, 3L << 30, 5L << 40}) {
            assertThat(Quantities.bytes("memory", Quantities.formatBytes(bytes))).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @CsvSource({"0.5, 0.5", "2, 2", "1.23456, 1.235", "0.0001, 0"})
    void cpusAreWrittenWithAtMostThreeDecimals(double cpus, String text) {
        assertThat(Quantities.formatCpus(cpus)).isEqualTo(text);
    }
}
