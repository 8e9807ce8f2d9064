package dev.wharf.runtime.api;

import java.time.Instant;

/** One line a container wrote, as recorded by its monitor. */
public record LogLine(Instant time, Stream stream, String text) {

    public enum Stream { STDOUT, STDERR }
}
