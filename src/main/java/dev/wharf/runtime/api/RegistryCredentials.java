package dev.wharf.runtime.api;

/** A user name and password (or token) for one registry. {@link #toString()} never shows the password. */
public record RegistryCredentials(String username, String password) {

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", password=***]";
    }
}
