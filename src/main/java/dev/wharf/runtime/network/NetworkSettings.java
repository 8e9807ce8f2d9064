package dev.wharf.runtime.network;

import java.nio.file.Path;

/**
 * How this node wires team networks ({@code wharf.runtime.network.*}).
 *
 * @param cniPath      where the CNI plugins are (Debian's containernetworking-plugins: {@code /usr/lib/cni})
 * @param pool         the addresses team subnets are cut from
 * @param teamPrefix   each team's subnet size ({@code 24}: 253 containers per team on a node)
 * @param bridgePrefix team {@code N}'s bridge is {@code <bridgePrefix>N}; also names the iptables chains
 *                     ({@code <PREFIX>-ISOLATION}, {@code <PREFIX>-INPUT}, {@code <PREFIX>-MASQ}), so two runtimes on one host
 *                     (tests) never touch each other's
 */
public record NetworkSettings(Path cniPath, String pool, Integer teamPrefix, String bridgePrefix) {

    public static final NetworkSettings DEFAULTS = new NetworkSettings(null, null, null, null);

    public NetworkSettings {
        cniPath = cniPath == null ? Path.of("/usr/lib/cni") : cniPath;
        pool = pool == null || pool.isBlank() ? "10.89.0.0/16" : pool.strip();
        teamPrefix = teamPrefix == null ? 24 : teamPrefix;
        bridgePrefix = bridgePrefix == null || bridgePrefix.isBlank() ? "wharf" : bridgePrefix.strip();
        if (!bridgePrefix.matches("[a-z][a-z0-9]{0,7}")) {
            throw new IllegalArgumentException("wharf.runtime.network.bridge-prefix must be 1-8 lowercase letters or digits, starting"
                    + " with a letter; got " + bridgePrefix);
        }
        Ipv4Subnet.parse(pool).count(teamPrefix);
    }
}
