package dev.wharf.runtime.api;

/**
 * Kernel limits of a container or of a whole team; {@code null} means unlimited.
 *
 * @param cpus        cores (0.5 = half a core), enforced as a CFS quota over a 100 ms period
 * @param memoryBytes memory limit (no swap beyond it)
 * @param pids        maximum number of processes and threads
 */
public record Resources(Double cpus, Long memoryBytes, Long pids) {

    public static final Resources UNLIMITED = new Resources(null, null, null);

    public Resources {
        if (cpus != null && (cpus.isNaN() || cpus <= 0 || cpus > 4096)) {
            throw RuntimeFailure.invalid("cpus must be a positive number of cores, got " + cpus);
        }
        if (memoryBytes != null && memoryBytes < 4L * 1024 * 1024) {
            throw RuntimeFailure.invalid("memory must be at least 4Mi, got " + memoryBytes + " bytes");
        }
        if (pids != null && pids < 1) {
            throw RuntimeFailure.invalid("pids must be at least 1, got " + pids);
        }
    }
}
