package dev.wharf.runtime.api;

/** @param timedOut whether the process was killed because it ran past its timeout */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
}
