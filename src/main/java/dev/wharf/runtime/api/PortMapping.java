package dev.wharf.runtime.api;

import java.util.regex.Pattern;

/**
 * A container port published on the host: traffic to {@code hostIp:hostPort} goes to the
 * container's {@code containerPort}.
 *
 * @param hostIp IPv4 address of the host to listen on; {@code 0.0.0.0} (the default) is every address
 */
public record PortMapping(int containerPort, int hostPort, String protocol, String hostIp) {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    public PortMapping {
        if (containerPort < 1 || containerPort > 65535) {
            throw RuntimeFailure.invalid("containerPort must be between 1 and 65535, got " + containerPort);
        }
        if (hostPort < 1 || hostPort > 65535) {
            throw RuntimeFailure.invalid("hostPort must be between 1 and 65535, got " + hostPort);
        }
        protocol = protocol == null || protocol.isBlank() ? "tcp" : protocol.strip().toLowerCase(java.util.Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw RuntimeFailure.invalid("protocol must be tcp or udp, got " + protocol);
        }
        hostIp = hostIp == null || hostIp.isBlank() ? "0.0.0.0" : hostIp.strip();
        if (!IPV4.matcher(hostIp).matches()) {
            throw RuntimeFailure.invalid("hostIp must be an IPv4 address, got " + hostIp);
        }
    }

    /** Whether both cannot be published at once: same port and protocol, and one address covers the other. */
    public boolean clashesWith(PortMapping other) {
        return hostPort == other.hostPort && protocol.equals(other.protocol)
                && (hostIp.equals(other.hostIp) || hostIp.equals("0.0.0.0") || other.hostIp.equals("0.0.0.0"));
    }

    @Override
    public String toString() {
        return hostIp + ":" + hostPort + "/" + protocol + " -> " + containerPort;
    }
}
