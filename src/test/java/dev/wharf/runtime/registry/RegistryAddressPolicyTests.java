package dev.wharf.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import dev.wharf.runtime.registry.RegistryAddressPolicy.Scope;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a pull may reach: every range, IPv4 inside IPv6, names, allow-lists. No network. */
class RegistryAddressPolicyTests {

    @ParameterizedTest
    @CsvSource({
            "8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC", "169.253.255.255, PUBLIC",
            "192.0.1.1, PUBLIC", "223.255.255.254, PUBLIC",
            "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK",
            "169.254.169.254, LINK_LOCAL", "169.254.0.1, LINK_LOCAL",
            "10.0.0.1, PRIVATE", "10.255.255.255, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE",
            "192.168.0.1, PRIVATE", "192.168.255.255, PRIVATE",
            "100.64.0.1, SHARED", "100.127.255.255, SHARED",
            "0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED",
            "224.0.0.1, MULTICAST", "239.255.255.250, MULTICAST",
            "255.255.255.255, RESERVED", "240.0.0.1, RESERVED", "192.0.0.8, RESERVED", "192.0.2.1, RESERVED",
            "198.18.0.1, RESERVED", "198.19.255.255, RESERVED", "198.51.100.7, RESERVED", "203.0.113.9, RESERVED",
            "2606:4700::1111, PUBLIC", "2a00:1450:4001::200e, PUBLIC",
            "::, UNSPECIFIED", "::1, LOOPBACK",
            "fe80::1, LINK_LOCAL", "febf:ffff::1, LINK_LOCAL",
            "fc00::1, PRIVATE", "fd12:3456::1, PRIVATE", "fec0::1, PRIVATE",
            "ff02::1, MULTICAST", "ff0e::1, MULTICAST",
            "2001:db8::1, RESERVED", "2001:0:4136:e378:8000:63bf:3fff:fdd2, RESERVED", "100::1, RESERVED", "4000::1, RESERVED",
            "::127.0.0.1, LOOPBACK", "::10.1.2.3, PRIVATE",
            "64:ff9b::a9fe:a9fe, LINK_LOCAL", "64:ff9b::808:808, PUBLIC", "64:ff9b:1::1, PRIVATE",
            "2002:7f00:1::1, LOOPBACK", "2002:a9fe:a9fe::1, LINK_LOCAL", "2002:808:808::1, PUBLIC",
    })
    void everyRangeHasItsScope(String address, Scope scope) throws UnknownHostException {
        assertThat(RegistryAddressPolicy.scope(InetAddress.getByName(address))).as(address).isEqualTo(scope);
    }

    @Test
    void ipv4MappedIpv6IsJudgedByItsIpv4Address() throws UnknownHostException {
        // the JVM turns ::ffff:a.b.c.d into an IPv4 address when it parses one; built from bytes it stays IPv6
        assertThat(RegistryAddressPolicy.scope(InetAddress.getByName("::ffff:127.0.0.1"))).isEqualTo(Scope.LOOPBACK);
        Map<String, Scope> mapped = Map.of("00000000000000000000ffff7f000001", Scope.LOOPBACK,
                "00000000000000000000ffffa9fea9fe", Scope.LINK_LOCAL, "00000000000000000000ffff0a000001", Scope.PRIVATE,
                "00000000000000000000ffff64400001", Scope.SHARED, "00000000000000000000ffff08080808", Scope.PUBLIC);
        mapped.forEach((hex, scope) -> {
            try {
                InetAddress address = Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), -1);
                assertThat(address).isInstanceOf(Inet6Address.class);
                assertThat(RegistryAddressPolicy.scope(address)).as(hex).isEqualTo(scope);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "017700000001", "0", "[::ffff:7f00:1]",
            "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:169.254.169.254]", "169.254.169.254", "[fe80::1]"})
    void everyLiteralFormOfAnInternalAddressIsRefusedOrMeansAPublicOne(String host) throws UnknownHostException {
        // what the JVM's resolver (and the C library's, for the forms the JVM does not parse itself) makes of a form is
        // what is checked and what the HTTP client connects to: either the form is refused, or it means a public address
        // (Java reads "0177.0.0.1" as 177.0.0.1, not octal), and a form that names no host is refused as such
        RegistryAddressPolicy policy = new RegistryAddressPolicy(Set.of(), Set.of());
        URI uri = URI.create("https://" + host + ":5000/v2/");

        try {
            policy.check(uri, "registry");
        } catch (RuntimeFailure e) {
            if (e.kind() == Kind.INVALID_ARGUMENT) {
                assertThat(e).hasMessageContaining(" refused: ");
            } else {
                assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                assertThat(e).hasMessageStartingWith("could not reach registry");
            }
            return;
        }
        assertThat(InetAddress.getAllByName(uri.getHost())).as(host + " was allowed")
                .allSatisfy(address -> assertThat(RegistryAddressPolicy.scope(address)).isEqualTo(Scope.PUBLIC));
    }

    @Test
    void theDecimalFormOfLoopbackResolvesAndIsRefusedAsNotPublic() {
        RegistryAddressPolicy policy = new RegistryAddressPolicy(Set.of(), Set.of());

        assertThatThrownBy(() -> policy.check(URI.create("https://2130706433:5000/v2/"), "registry"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("registry 2130706433:5000 refused: it is not a public address; an admin can allow a private registry"
                        + " by listing its host:port in wharf.registries.private");
    }

    @Test
    void aNameIsCheckedByEveryAddressItResolvesTo() {
        Map<String, List<String>> dns = Map.of("registry.example", List.of("93.184.216.34"),
                "internal.example", List.of("10.1.2.3"),
                "mixed.example", List.of("93.184.216.34", "169.254.169.254"),
                "v6.example", List.of("2606:4700::1111", "fd00::1"),
                "node.example", List.of("93.184.216.99"));
        RegistryAddressPolicy policy = new RegistryAddressPolicy(Set.of(), Set.of(), fake(dns, new AtomicInteger()),
                () -> Set.of(address("93.184.216.99")));

        assertThatCode(() -> policy.check(URI.create("https://registry.example/v2/"), "registry")).doesNotThrowAnyException();
        for (String host : List.of("internal.example", "mixed.example", "v6.example", "node.example")) {
            assertThatThrownBy(() -> policy.check(URI.create("https://" + host + "/v2/"), "redirect target"))
                    .as(host)
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessageStartingWith("redirect target " + host + " refused: it is not a public address");
        }
    }

    @Test
    void anUnknownNameReadsLikeAnUnreachableHost() {
        RegistryAddressPolicy policy = new RegistryAddressPolicy(Set.of(), Set.of(), fake(Map.of(), new AtomicInteger()), Set::of);

        assertThatThrownBy(() -> policy.check(URI.create("https://nowhere.example/v2/"), "token service"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("could not reach token service nowhere.example over HTTPS (a registry that serves plain HTTP must be"
                        + " listed in wharf.registries.insecure)");
    }

    @Test
    void listedRegistriesMayBePrivateAndOnlyInsecureOnesMayBePlainHttp() {
        AtomicInteger lookups = new AtomicInteger();
        RegistryAddressPolicy policy = new RegistryAddressPolicy(Set.of("lab.internal:5000", "127.0.0.1:5001"),
                Set.of("harbor.internal", "10.0.0.7:8443", "[fd00::7]:443"),
                fake(Map.of("lab.internal", List.of("10.0.0.5"), "harbor.internal", List.of("10.0.0.6")), lookups), Set::of);

        for (String allowed : List.of("http://lab.internal:5000/v2/", "https://lab.internal:5000/v2/", "http://127.0.0.1:5001/v2/",
                "https://harbor.internal/v2/", "https://HARBOR.internal:443/v2/", "https://10.0.0.7:8443/v2/",
                "https://[fd00::7]/v2/")) {
            assertThatCode(() -> policy.check(URI.create(allowed), "registry")).as(allowed).doesNotThrowAnyException();
        }
        assertThat(lookups).as("listed hosts are not looked up").hasValue(0);

        assertThatThrownBy(() -> policy.check(URI.create("http://harbor.internal/v2/"), "registry"))
                .hasMessage("registry harbor.internal refused: plain HTTP is allowed only to registries an admin lists in"
                        + " wharf.registries.insecure");
        assertThatThrownBy(() -> policy.check(URI.create("https://harbor.internal:8443/v2/"), "registry"))
                .as("an entry without a port is the scheme's default port only").hasMessageContaining("not a public address");
        assertThatThrownBy(() -> policy.check(URI.create("http://127.0.0.1:5002/v2/"), "redirect target"))
                .as("another port of a listed host").hasMessageContaining("refused: plain HTTP");
        assertThatThrownBy(() -> policy.check(URI.create("https://127.0.0.1:5002/v2/"), "redirect target"))
                .hasMessageContaining("refused: it is not a public address");
        assertThatThrownBy(() -> policy.check(URI.create("http://93.184.216.34/v2/"), "redirect target"))
                .as("plain HTTP to a public host").hasMessageContaining("refused: plain HTTP");
        assertThatThrownBy(() -> policy.check(URI.create("file:///etc/passwd"), "redirect target"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessageContaining("only http and https URLs with a host are followed");
        assertThat(policy.insecure("lab.internal:5000")).isTrue();
        assertThat(policy.insecure("harbor.internal")).isFalse();
    }

    private static RegistryAddressPolicy.Resolver fake(Map<String, List<String>> dns, AtomicInteger lookups) {
        return host -> {
            lookups.incrementAndGet();
            List<String> addresses = dns.get(host);
            if (addresses == null && host.matches("[0-9.]+|.*:.*")) {
                return InetAddress.getAllByName(host); // a literal
            }
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            return addresses.stream().map(RegistryAddressPolicyTests::address).toArray(InetAddress[]::new);
        };
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
