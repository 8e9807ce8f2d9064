package dev.wharf.runtime.api;

/**
 * What a process run by {@link RuntimeService#exec} printed, and how it ended. Each stream keeps at
 * most {@link #MAX_OUTPUT_BYTES}; a process that prints more is killed as soon as one stream passes
 * that (its exit code then says so, 137) and the result is {@code truncated}. An exec is for short
 * commands with short answers; long output belongs in a file, the terminal or the container's log.
 *
 * @param timedOut  whether the process was killed because it ran past its timeout
 * @param truncated whether the process printed more than {@link #MAX_OUTPUT_BYTES} on a stream and was
 *                  killed for it; {@code stdout} and {@code stderr} hold the first bytes of each
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {

    /** The most bytes kept of each of stdout and stderr (1 MiB). */
    public static final int MAX_OUTPUT_BYTES = 1 << 20;
}
