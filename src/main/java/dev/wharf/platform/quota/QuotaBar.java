package dev.wharf.platform.quota;

import dev.wharf.platform.web.Quantities;
import java.util.List;

/**
 * One resource of a team's quota as a page shows it: used of limit, how full in percent, and
 * whether it is near the limit (above 80%).
 *
 * @param percent 0-100, or -1 when the resource is unlimited
 */
public record QuotaBar(String resource, String used, String limit, int percent, boolean warn) {

    static final double WARN_ABOVE = 0.8;

    public static List<QuotaBar> of(QuotaAdmission.QuotaView view) {
        QuotaAdmission.Amounts used = view.usage();
        QuotaAdmission.Amounts limits = view.limits();
        return List.of(
                bar("cpus", used.cpus(), limits.cpus()),
                bar("memory", used.memory(), limits.memory()),
                bar("pids", used.pids(), limits.pids()),
                bar("containers", used.containers(), limits.containers()),
                bar("storage", used.storage(), limits.storage()));
    }

    /** What the quota leaves for one more container, per resource ("unlimited" when there is no limit). */
    public static List<String> left(QuotaAdmission.QuotaView view) {
        QuotaAdmission.Amounts used = view.usage();
        QuotaAdmission.Amounts limits = view.limits();
        return List.of(
                leftOf("cpus", used.cpus(), limits.cpus()),
                leftOf("memory", used.memory(), limits.memory()),
                leftOf("pids", used.pids(), limits.pids()),
                leftOf("containers", used.containers(), limits.containers()));
    }

    private static QuotaBar bar(String resource, Number used, Number limit) {
        Number u = used == null ? 0 : used;
        if (limit == null) {
            return new QuotaBar(resource, QuotaAdmission.format(resource, u), "unlimited", -1, false);
        }
        double ratio = limit.doubleValue() <= 0 ? (u.doubleValue() > 0 ? 1 : 0) : u.doubleValue() / limit.doubleValue();
        int percent = (int) Math.round(Math.min(1, ratio) * 100);
        return new QuotaBar(resource, QuotaAdmission.format(resource, u), QuotaAdmission.format(resource, limit), percent,
                ratio > WARN_ABOVE);
    }

    private static String leftOf(String resource, Number used, Number limit) {
        if (limit == null) {
            return resource + ": unlimited";
        }
        double left = Math.max(0, limit.doubleValue() - (used == null ? 0 : used.doubleValue()));
        Number value = resource.equals("cpus") ? (Number) left : (Number) (long) left;
        return resource + ": " + QuotaAdmission.format(resource, value) + " left";
    }

    public static String bytes(long bytes) {
        return Quantities.formatBytes(bytes);
    }

    public static String cpus(double cpus) {
        return Quantities.formatCpus(cpus);
    }
}
