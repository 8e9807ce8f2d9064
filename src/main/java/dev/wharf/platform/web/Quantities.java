package dev.wharf.platform.web;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docs/api.md's quantities: bytes as a count or with a binary suffix ({@code 256Mi}, {@code 2Gi}); cpus as a decimal. */
public final class Quantities {

    private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(Ki|Mi|Gi|Ti|Pi)?");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private Quantities() {
    }

    /** {@code null} stays null (unlimited / not given). */
    public static Long bytes(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Matcher m = BYTES.matcher(value.strip());
        if (!m.matches()) {
            throw WharfException.invalidField(field, field + " must be a byte count or a number with Ki, Mi, Gi or Ti, like \"256Mi\"; got \""
                    + value + "\"");
        }
        BigDecimal number = new BigDecimal(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            case "Gi" -> 30;
            case "Ti" -> 40;
            default -> 50;
        };
        BigDecimal bytes = number.multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.signum() < 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 || bytes.stripTrailingZeros().scale() > 0) {
            throw WharfException.invalidField(field, field + " must be a whole number of bytes; got \"" + value + "\"");
        }
        return bytes.longValueExact();
    }

    /** A duration as Docker writes them: {@code 30s}, {@code 1m30s}, {@code 2h}, {@code 500ms}; {@code null} stays null. */
    public static java.time.Duration duration(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Matcher m = DURATION.matcher(value.strip());
        if (!m.matches() || value.strip().equals("0")) {
            throw WharfException.invalidField(field, field + " must be a duration like \"30s\", \"1m30s\", \"2h\" or \"500ms\"; got \""
                    + value + "\"");
        }
        try {
            java.time.Duration duration = java.time.Duration.ZERO;
            long[] units = {3_600_000, 60_000, 1_000, 1};
            for (int i = 0; i < units.length; i++) {
                if (m.group(i + 1) != null) {
                    duration = duration.plusMillis(Math.multiplyExact(Long.parseLong(m.group(i + 1)), units[i]));
                }
            }
            return duration;
        } catch (ArithmeticException | NumberFormatException e) {
            throw WharfException.invalidField(field, field + " is too long: \"" + value + "\"");
        }
    }

    public static Double cpus(String field, Double value) {
        if (value == null) {
            return null;
        }
        if (value.isNaN() || value <= 0 || value > 4096) {
            throw WharfException.invalidField(field, field + " must be a positive number of cores, like 0.5; got " + value);
        }
        return value;
    }

    public static Long count(String field, Long value) {
        if (value != null && value < 0) {
            throw WharfException.invalidField(field, field + " must not be negative; got " + value);
        }
        return value;
    }

    /** {@code 3.75Gi}, {@code 512Mi}, {@code 100} — for sentences. */
    public static String formatBytes(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= 1L << shifts[i]) {
                BigDecimal value = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << shifts[i]));
                return value.setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + units[i];
            }
        }
        return Long.toString(bytes);
    }

    public static String formatCpus(double cpus) {
        return BigDecimal.valueOf(cpus).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()
                .toLowerCase(Locale.ROOT);
    }
}
