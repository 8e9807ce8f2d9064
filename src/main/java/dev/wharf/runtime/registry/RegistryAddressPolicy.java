package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Which addresses a pull may send requests to: the guard against server-side request forgery
 * through a registry reference, its redirects and its token service.
 *
 * <p>Every request of a pull (the registry, each redirect target, the bearer realm) is checked
 * right before it is sent: the host is resolved and every address it resolves to must be public,
 * i.e. none of loopback, link-local (169.254.0.0/16 with the cloud metadata address, fe80::/10),
 * private (RFC 1918, fc00::/7, fec0::/10), shared/CGNAT (100.64.0.0/10), unspecified, multicast,
 * broadcast or reserved, nor one of this host's own interface addresses. IPv4 addresses carried
 * in IPv6 (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
 *
 * <p>Plain HTTP is allowed only to the {@code host[:port]} entries of {@code insecure}; those
 * entries and the entries of {@code privateRegistries} may resolve to any address (an admin listed
 * them). An entry without a port matches the scheme's default port.
 *
 * <p>Residual risk (DNS rebinding): Java 17's HTTP client resolves the host again when it
 * connects. The check and the client share the JVM's address cache (30 s for a positive answer
 * unless {@code networkaddress.cache.ttl} says otherwise), so the client connects to an address
 * that was checked unless that cache entry expires in between. Over HTTPS a rebound connection
 * also fails the certificate's host name check, so no request reaches a rebound address, and
 * plain HTTP goes only to hosts an admin listed.
 */
public final class RegistryAddressPolicy {

    /** Where an address points. Only {@link #PUBLIC} addresses are reachable without an allow-list entry. */
    public enum Scope {
        PUBLIC, LOOPBACK, LINK_LOCAL, PRIVATE, SHARED, UNSPECIFIED, MULTICAST, RESERVED, OWN
    }

    /** Resolves a host name to its addresses (the JVM's resolver in production). */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> insecure;
    private final Set<String> allowed;
    private final Resolver resolver;
    private final Supplier<Set<InetAddress>> ownAddresses;

    /** A policy over the JVM's resolver and this host's interface addresses. */
    public RegistryAddressPolicy(Set<String> insecure, Set<String> privateRegistries) {
        this(insecure, privateRegistries, InetAddress::getAllByName, RegistryAddressPolicy::interfaceAddresses);
    }

    RegistryAddressPolicy(Set<String> insecure, Set<String> privateRegistries, Resolver resolver,
            Supplier<Set<InetAddress>> ownAddresses) {
        this.insecure = normalize(insecure);
        Set<String> all = new HashSet<>(this.insecure);
        all.addAll(normalize(privateRegistries));
        this.allowed = Set.copyOf(all);
        this.resolver = resolver;
        this.ownAddresses = ownAddresses;
    }

    /** Whether {@code registry} (a reference's {@code host[:port]}) is reached over plain HTTP. */
    boolean insecure(String registry) {
        return insecure.contains(registry.toLowerCase(Locale.ROOT));
    }

    /**
     * Fails unless a request to {@code uri} is allowed.
     *
     * @param what what the host is to the pull, for the message: "registry", "redirect target", "token service"
     * @throws RuntimeFailure INVALID_ARGUMENT when the policy refuses it, UNAVAILABLE when the host does not
     *         resolve (read the same as a connection failure)
     */
    void check(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!scheme.equals("https") && !scheme.equals("http") || host == null) {
            throw RuntimeFailure.invalid(what + " " + describe(uri) + " refused: only http and https URLs with a host are followed");
        }
        String authority = hostPort(uri);
        if (scheme.equals("http") && !matches(insecure, uri)) {
            throw RuntimeFailure.invalid(what + " " + authority + " refused: plain HTTP is allowed only to registries an admin lists"
                    + " in wharf.registries.insecure");
        }
        if (matches(allowed, uri)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(unbracket(host));
        } catch (UnknownHostException | SecurityException e) {
            throw unreachable(what, uri);
        }
        Set<InetAddress> own = ownAddresses.get();
        for (InetAddress address : addresses) {
            Scope scope = own.contains(address) ? Scope.OWN : scope(address);
            if (scope != Scope.PUBLIC) {
                throw RuntimeFailure.invalid(what + " " + authority + " refused: it is not a public address; an admin can allow"
                        + " a private registry by listing its host:port in wharf.registries.private");
            }
        }
    }

    /** The failure for a host that cannot be resolved or connected to, the same whatever the reason. */
    static RuntimeFailure unreachable(String what, URI uri) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        return new RuntimeFailure(Kind.UNAVAILABLE, "could not reach " + what + " " + hostPort(uri)
                + (https ? " over HTTPS (a registry that serves plain HTTP must be listed in wharf.registries.insecure)" : ""));
    }

    /** {@code host:port} of {@code uri} (never its user info), for messages and allow-list matching. */
    static String hostPort(URI uri) {
        String host = uri.getHost() == null ? "?" : uri.getHost().toLowerCase(Locale.ROOT);
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    /** The scope of {@code address}, judged by its bytes alone (not whether it is this host's). */
    public static Scope scope(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return scope4(b, 0);
        }
        if (!(address instanceof Inet6Address)) {
            return Scope.RESERVED;
        }
        if (zero(b, 0, 16)) {
            return Scope.UNSPECIFIED;
        }
        if (zero(b, 0, 15) && b[15] == 1) {
            return Scope.LOOPBACK;
        }
        if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return scope4(b, 12); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (zero(b, 0, 12)) {
            return scope4(b, 12); // ::a.b.c.d, IPv4-compatible (deprecated)
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            // 64:ff9b::/96 NAT64 carries a public IPv4 address; 64:ff9b:1::/48 is for local use
            return zero(b, 4, 12) ? scope4(b, 12) : Scope.PRIVATE;
        }
        if (first == 0x20 && second == 0x02) {
            return scope4(b, 2); // 2002:a.b.c.d::/48, 6to4
        }
        if (first == 0xff) {
            return Scope.MULTICAST;
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return Scope.LINK_LOCAL; // fe80::/10
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0 || (first & 0xfe) == 0xfc) {
            return Scope.PRIVATE; // fec0::/10 site-local, fc00::/7 unique local
        }
        if (first == 0x20 && second == 0x01 && ((b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8 || b[2] == 0 && b[3] == 0)) {
            return Scope.RESERVED; // 2001:db8::/32 documentation, 2001::/32 Teredo (carries an obscured IPv4 address)
        }
        if (first == 0x01 && second == 0x00 && zero(b, 2, 8)) {
            return Scope.RESERVED; // 100::/64 discard
        }
        if ((first & 0xe0) != 0x20) {
            return Scope.RESERVED; // outside 2000::/3, the global unicast space
        }
        return Scope.PUBLIC;
    }

    private static Scope scope4(byte[] b, int at) {
        int a = b[at] & 0xff;
        int c = b[at + 1] & 0xff;
        int d = b[at + 2] & 0xff;
        if (a == 0) {
            return Scope.UNSPECIFIED; // 0.0.0.0/8, "this network"
        }
        if (a == 127) {
            return Scope.LOOPBACK;
        }
        if (a == 169 && c == 254) {
            return Scope.LINK_LOCAL; // with 169.254.169.254, the cloud metadata service
        }
        if (a == 10 || a == 172 && (c & 0xf0) == 16 || a == 192 && c == 168) {
            return Scope.PRIVATE;
        }
        if (a == 100 && (c & 0xc0) == 64) {
            return Scope.SHARED; // 100.64.0.0/10, carrier-grade NAT
        }
        if (a >= 224 && a < 240) {
            return Scope.MULTICAST;
        }
        if (a >= 240 // reserved and 255.255.255.255 broadcast
                || a == 192 && c == 0 && (d == 0 || d == 2) // 192.0.0.0/24 protocol assignments, 192.0.2.0/24 documentation
                || a == 198 && (c & 0xfe) == 18 // 198.18.0.0/15 benchmarking
                || a == 198 && c == 51 && d == 100 || a == 203 && c == 0 && d == 113) { // documentation
            return Scope.RESERVED;
        }
        return Scope.PUBLIC;
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(Set<String> entries, URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int defaultPort = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        return entries.contains(host + ":" + port) || port == defaultPort && entries.contains(host);
    }

    private static Set<String> normalize(Set<String> entries) {
        return entries == null ? Set.of() : entries.stream().map(e -> e.strip().toLowerCase(Locale.ROOT)).filter(e -> !e.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String describe(URI uri) {
        return uri.getScheme() == null ? "(relative)" : uri.getScheme() + "://" + hostPort(uri);
    }

    /** This host's interface addresses, read afresh (interfaces and bridges come and go). */
    private static Set<InetAddress> interfaceAddresses() {
        try {
            Set<InetAddress> addresses = new HashSet<>();
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()));
            }
            return addresses;
        } catch (SocketException e) {
            return Set.of();
        }
    }
}
