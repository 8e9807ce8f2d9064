package dev.wharf.runtime.api;

/**
 * The host ports teams may publish on ({@code wharf.network.host-ports}, e.g. {@code 8000-8999}); by
 * default {@code 1024-65535}, so that no team takes a privileged port (80, 443, 22) of the node. An
 * admin widens it. One range: a single port ({@code 8080}) is a range of one.
 */
public record HostPortRange(int min, int max) {

    public HostPortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("a host port range needs 1 <= min <= max <= 65535, got " + min + "-" + max);
        }
    }

    /** {@code min-max} or one port; refuses (IllegalArgumentException) anything else. */
    public static HostPortRange parse(String text) {
        String[] parts = text.strip().split("-");
        try {
            if (parts.length >= 1 && parts.length <= 2) {
                return new HostPortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[parts.length - 1].strip()));
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new IllegalArgumentException("wharf.network.host-ports must be a range like 1024-65535, got " + text);
    }

    public boolean contains(int port) {
        return port >= min && port <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
