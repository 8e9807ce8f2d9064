package dev.wharf.platform.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a user logs in: with a Wharf password, or through an OpenID provider (no Wharf password). */
public enum UserSource {
    LOCAL,
    OIDC;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
