package dev.wharf.runtime.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A user name and password (or token) for a registry. {@link #toString()} never shows the password. */
public record RegistryLogin(String username, String password) {

    public RegistryLogin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** The value of an {@code Authorization: Basic} header. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "RegistryLogin[username=" + username + ", password=***]";
    }
}
