package dev.wharf.platform.workload;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A container as a row of the dashboard's tables: its facts plus an uptime a person reads at a glance,
 * its published ports ({@code 127.0.0.1:8081→80/tcp}), its address on the team's network and its health
 * ({@code starting}, {@code healthy}, {@code unhealthy}; null without a health check).
 */
record ContainerRow(String name, String image, String project, String state, String reason, Integer exitCode, boolean oomKilled,
        int restarts, Instant startedAt, String uptime, List<String> ports, String ipAddress, String health) {

    static ContainerRow of(Container c, String project, List<ContainerRequest.PortRequest> ports, Instant now) {
        String uptime = c.getState() == Container.State.RUNNING && c.getStartedAt() != null
                ? "up " + human(Duration.between(c.getStartedAt(), now))
                : c.getFinishedAt() != null ? "exited " + human(Duration.between(c.getFinishedAt(), now)) + " ago" : "";
        return new ContainerRow(c.getName(), c.getImage(), project, c.getState().value(), c.getStateReason(), c.getExitCode(), c.isOomKilled(),
                c.getRestartCount(), c.getStartedAt(), uptime, ports.stream().map(p -> PublishedPort.of(p, null).text()).toList(),
                c.getIpAddress(), c.getHealthStatus());
    }

    /**
     * A published port as text, and a link to it where a browser can follow one: tcp on every address (the page's
     * host) or on 127.0.0.1; {@code href} is null otherwise.
     */
    record PublishedPort(String text, String href) {

        static PublishedPort of(ContainerRequest.PortRequest port, String pageHost) {
            String protocol = port.protocol() == null || port.protocol().isBlank() ? "tcp" : port.protocol().strip().toLowerCase(java.util.Locale.ROOT);
            String hostIp = port.hostIp() == null || port.hostIp().isBlank() ? "0.0.0.0" : port.hostIp().strip();
            String text = hostIp + ":" + port.hostPort() + "→" + port.containerPort() + "/" + protocol;
            String host = hostIp.equals("0.0.0.0") ? pageHost : hostIp.equals("127.0.0.1") ? hostIp : null;
            String href = protocol.equals("tcp") && host != null ? "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                    + ":" + port.hostPort() : null;
            return new PublishedPort(text, href);
        }
    }

    /** {@code 45s}, {@code 3m 12s}, {@code 2h 5m}, {@code 4d 3h}. */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }
}
