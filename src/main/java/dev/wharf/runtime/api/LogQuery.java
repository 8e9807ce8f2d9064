package dev.wharf.runtime.api;

import java.time.Instant;

/**
 * @param since  only lines at or after this time ({@code null}: all)
 * @param tail   only the last n lines that match ({@code null}: all)
 * @param follow keep the stream open and deliver new lines until the container exits or the stream is closed
 */
public record LogQuery(Instant since, Integer tail, boolean follow) {

    public static final LogQuery ALL = new LogQuery(null, null, false);

    public LogQuery {
        if (tail != null && tail < 0) {
            throw RuntimeFailure.invalid("tail must not be negative, got " + tail);
        }
    }
}
