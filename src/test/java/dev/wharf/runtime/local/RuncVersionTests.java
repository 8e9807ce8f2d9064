package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which runc builds a node accepts, read from what real {@code runc --version} commands print. */
class RuncVersionTests {

    static final String DEBIAN_12_PATCHED = """
            runc version 1.1.5+ds1
            commit: 1.1.5+ds1-1+deb12u1
            spec: 1.0.2-dev
            go: go1.19.8
            libseccomp: 2.5.4
            """;
    static final String DEBIAN_12_RELEASE = """
            runc version 1.1.5+ds1
            commit: 1.1.5+ds1-1
            spec: 1.0.2-dev
            go: go1.19.8
            libseccomp: 2.5.4
            """;
    static final String UPSTREAM_1_1_12 = """
            runc version 1.1.12
            commit: v1.1.12-0-g51d5e946
            spec: 1.0.2-dev
            go: go1.20.13
            libseccomp: 2.5.4
            """;
    static final String UPSTREAM_1_1_11 = """
            runc version 1.1.11
            commit: v1.1.11-0-g4bccb38c
            spec: 1.0.2-dev
            go: go1.20.12
            libseccomp: 2.5.4
            """;
    static final String UPSTREAM_1_2 = """
            runc version 1.2.4
            commit: v1.2.4-0-g6c52b3fc
            spec: 1.2.0
            go: go1.22.10
            libseccomp: 2.5.5
            """;

    @Test
    void readsVersionAndCommit() {
        RuncVersion version = RuncVersion.parse(DEBIAN_12_PATCHED).orElseThrow();
        assertThat(version).isEqualTo(new RuncVersion(1, 1, 5, "1.1.5+ds1-1+deb12u1"));
        assertThat(RuncVersion.parse("runc: command not found")).isEmpty();
    }

    @Test
    void acceptsUpstreamReleasesWithTheFixAndDebiansBackport() {
        assertThat(RuncVersion.problem("/usr/sbin/runc", UPSTREAM_1_1_12)).isEmpty();
        assertThat(RuncVersion.problem("/usr/sbin/runc", UPSTREAM_1_2)).isEmpty();
        assertThat(RuncVersion.problem("/usr/sbin/runc", DEBIAN_12_PATCHED)).isEmpty();
        assertThat(RuncVersion.problem("/usr/sbin/runc", DEBIAN_12_PATCHED.replace("deb12u1", "deb12u3"))).isEmpty();
    }

    @Test
    void refusesOlderRuncsWithOneLineNamingFoundAndMinimum() {
        assertThat(RuncVersion.problem("/usr/sbin/runc", UPSTREAM_1_1_11)).hasValueSatisfying(line -> assertThat(line)
                .contains("/usr/sbin/runc is version 1.1.11 (v1.1.11-0-g4bccb38c)").contains("older than 1.1.12")
                .contains("CVE-2024-21626").doesNotContain("\n"));
        assertThat(RuncVersion.problem("/usr/sbin/runc", DEBIAN_12_RELEASE)).hasValueSatisfying(line -> assertThat(line)
                .contains("version 1.1.5 (1.1.5+ds1-1)").contains("1.1.12"));
        assertThat(RuncVersion.problem("/usr/sbin/runc", DEBIAN_12_PATCHED.replace("deb12u1", "deb12u0"))).isPresent();
        assertThat(RuncVersion.problem("/usr/sbin/runc", "")).hasValueSatisfying(line -> assertThat(line).contains("cannot tell"));
    }
}
