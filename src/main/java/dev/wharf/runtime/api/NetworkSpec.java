package dev.wharf.runtime.api;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How a container is networked.
 *
 * @param mode    {@code TEAM}: an address on its team's bridge, reachable by the team's other
 *                containers by name; {@code NONE}: loopback only
 * @param aliases more names the team's containers reach it by (e.g. {@code web.shop})
 * @param ports   ports published on the host (only with {@code TEAM})
 */
public record NetworkSpec(Mode mode, List<String> aliases, List<PortMapping> ports) {

    public enum Mode { TEAM, NONE }

    /** Loopback only. */
    public static final NetworkSpec NONE = new NetworkSpec(Mode.NONE, List.of(), List.of());

    /** On the team's network, no aliases, nothing published. */
    public static final NetworkSpec TEAM = new NetworkSpec(Mode.TEAM, List.of(), List.of());

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public NetworkSpec {
        mode = mode == null ? Mode.TEAM : mode;
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        for (String alias : aliases) {
            if (alias == null || alias.length() > 253 || !HOST_NAME.matcher(alias).matches()) {
                throw RuntimeFailure.invalid("network alias must be a host name, got " + alias);
            }
        }
        if (mode == Mode.NONE && !ports.isEmpty()) {
            throw RuntimeFailure.invalid("ports cannot be published with network none");
        }
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (ports.get(i).clashesWith(ports.get(j))) {
                    throw RuntimeFailure.invalid("host port " + ports.get(j).hostPort() + "/" + ports.get(j).protocol()
                            + " is published twice");
                }
            }
        }
    }
}
