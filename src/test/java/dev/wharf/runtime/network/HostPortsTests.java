package dev.wharf.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether a host port is free to publish: not forwarded to another container, not bound by any socket. */
class HostPortsTests {

    @Test
    void aPortPublishedByAnotherContainerIsTaken() {
        PortMapping wanted = new PortMapping(80, 18080, "tcp", "127.0.0.1");
        PortMapping other = new PortMapping(8080, 18080, "tcp", "0.0.0.0");

        assertThatThrownBy(() -> HostPorts.checkFree(List.of(wanted), List.of(other))).isInstanceOfSatisfying(RuntimeFailure.class, e -> {
            assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.ALREADY_EXISTS);
            assertThat(e.getMessage()).isEqualTo("host port 127.0.0.1:18080/tcp is already published by another container");
        });
    }

    @Test
    void anotherProtocolOrAddressDoesNotClash() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = probe.getLocalPort();
            probe.close();
            PortMapping wanted = new PortMapping(80, port, "tcp", "127.0.0.1");

            assertThatCode(() -> HostPorts.checkFree(List.of(wanted), List.of(new PortMapping(80, port, "udp", "0.0.0.0"),
                    new PortMapping(80, port, "tcp", "127.0.0.2")))).doesNotThrowAnyException();
        }
    }

    @Test
    void aPortBoundOnTheHostIsTaken() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PortMapping wanted = new PortMapping(80, listener.getLocalPort(), "tcp", "127.0.0.1");

            assertThatThrownBy(() -> HostPorts.checkFree(List.of(wanted), List.of())).isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.ALREADY_EXISTS);
                assertThat(e.getMessage()).startsWith("host port 127.0.0.1:" + listener.getLocalPort() + "/tcp is already in use on the node");
            });
        }
    }
}
