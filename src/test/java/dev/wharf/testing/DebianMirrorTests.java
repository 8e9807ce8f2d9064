package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianMirrorTests {

    @TempDir
    Path apt;

    @Test
    void aDeb822FileGivesTheFirstEnabledMainArchiveSkippingSecurityUpdatesAndSourceOnlyStanzas() throws Exception {
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/debian.sources"), """
                Types: deb-src
                URIs: http://sources.example/debian
                Suites: bookworm
                Components: main

                Types: deb
                URIs: http://off.example/debian
                Suites: bookworm
                Components: main
                Enabled: no

                Types: deb
                # a comment inside the stanza
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb
                URIs: http://contrib.example/debian
                Suites: bookworm
                Components: contrib

                Types: deb
                URIs: https://mirror.example/debian/
                Suites: bookworm bookworm-updates
                Components: main contrib
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
                """);

        DebianMirror mirror = DebianMirror.of(apt).orElseThrow();

        assertThat(mirror.uri()).isEqualTo("https://mirror.example/debian");
        assertThat(mirror.source()).isEqualTo(apt.resolve("sources.list.d/debian.sources"));
    }

    @Test
    void aOneLineFileIsReadFirstWithItsOptionsAndCommentsIgnored() throws Exception {
        Files.writeString(apt.resolve("sources.list"), """
                # deb http://commented.example/debian bookworm main
                deb [signed-by=/usr/share/keyrings/x.gpg arch=amd64] http://security.example/debian-security bookworm-security main
                deb [arch=amd64] http://line.example/debian bookworm main non-free-firmware # the archive
                """);
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/later.sources"), "Types: deb\nURIs: http://later.example/debian\nSuites: bookworm\n"
                + "Components: main\n");

        assertThat(DebianMirror.of(apt).orElseThrow().uri()).isEqualTo("http://line.example/debian");
    }

    @Test
    void filesOfOtherExtensionsAndHostsWithoutADebianArchiveGiveNone() throws Exception {
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/old.list.disabled"), "deb http://disabled.example/debian bookworm main\n");
        Files.writeString(apt.resolve("sources.list.d/cdrom.list"), "deb cdrom:[Debian 12]/ bookworm main\n");

        assertThat(DebianMirror.of(apt)).isEmpty();
    }
}
