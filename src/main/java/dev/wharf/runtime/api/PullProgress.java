package dev.wharf.runtime.api;

/** How far one layer of a pull has come: {@code done} of {@code total} bytes. */
public record PullProgress(String reference, String layer, long done, long total) {
}
