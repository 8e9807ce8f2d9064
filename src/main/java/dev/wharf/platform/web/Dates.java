package dev.wharf.platform.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Time formatting for pages ({@code ${@dates.time(x)}}); times are shown in UTC, like the API's. */
@Component("dates")
public class Dates {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    public String day(Instant instant) {
        return instant == null ? "" : DAY.format(instant);
    }

    public String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** The time of day to the second, for things that happen often (health probes). */
    public String seconds(Instant instant) {
        return instant == null ? "" : SECONDS.format(instant);
    }
}
