package dev.wharf.platform.team;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.wharf.platform.web.WharfException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A member's role in one team; each role includes the rights of the ones below it. */
public enum TeamRole {
    /** reads everything of the team */
    VIEWER,
    /** also operates the team's containers, images, volumes and projects */
    MEMBER,
    /** also manages the team's members and reads its audit log */
    OWNER;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includes(TeamRole other) {
        return compareTo(other) >= 0;
    }

    public static TeamRole parse(String value) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(value)).findFirst()
                .orElseThrow(() -> WharfException.invalidField("role", "role must be one of "
                        + Arrays.stream(values()).map(TeamRole::wire).collect(Collectors.joining(", "))));
    }
}
