package dev.wharf.runtime.network;

import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** Whether host ports are free to publish on this node. */
final class HostPorts {

    private HostPorts() {
    }

    /**
     * Refuses (ALREADY_EXISTS) when a host port is taken: by any socket on the host, or by
     * {@code published}, the ports this node already forwards to other containers.
     */
    static void checkFree(List<PortMapping> ports, List<PortMapping> published) {
        for (PortMapping port : ports) {
            for (PortMapping other : published) {
                if (port.clashesWith(other)) {
                    throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "host port " + port.hostIp() + ":" + port.hostPort()
                            + "/" + port.protocol() + " is already published by another container");
                }
            }
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(port.hostIp()), port.hostPort());
                if (port.protocol().equals("udp")) {
                    new DatagramSocket(address).close();
                } else {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.setReuseAddress(true);
                        socket.bind(address);
                    }
                }
            } catch (IOException e) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "host port " + port.hostIp() + ":" + port.hostPort() + "/"
                        + port.protocol() + " is already in use on the node (" + e.getMessage() + ")");
            }
        }
    }
}
