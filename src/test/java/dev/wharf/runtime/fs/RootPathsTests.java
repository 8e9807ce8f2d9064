package dev.wharf.runtime.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths inside a root resolved as a process rooted there sees them, on a real directory tree: a
 * "host" beside the root holds the files an escaping link would reach.
 */
class RootPathsTests {

    @TempDir
    Path dir;
    Path root;
    Path host;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        host = Files.createDirectories(dir.resolve("host"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "in the root\n");
        Files.writeString(host.resolve("secret"), "on the host\n");
    }

    private String read(String path) throws IOException {
        return RootPaths.readRegularFile(root, path, 1 << 20).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void plainPathsAndDotsStayInsideTheRoot() throws IOException {
        assertThat(RootPaths.resolve(root, "/etc/passwd")).isEqualTo(root.resolve("etc/passwd"));
        assertThat(RootPaths.resolve(root, "etc/./passwd")).isEqualTo(root.resolve("etc/passwd"));
        assertThat(RootPaths.resolve(root, "/../../../etc/passwd")).isEqualTo(root.resolve("etc/passwd"));
        assertThat(RootPaths.resolve(root, "/")).isEqualTo(root);
        assertThat(RootPaths.resolve(root, "/..")).isEqualTo(root);
        assertThat(read("/etc/../etc//passwd")).isEqualTo("in the root\n");
    }

    @Test
    void linksAreFollowedAsIfTheRootWereSlash() throws IOException {
        Files.createDirectories(root.resolve("usr/lib"));
        Files.writeString(root.resolve("usr/lib/passwd"), "from usr/lib\n");
        Files.createSymbolicLink(root.resolve("etc/absolute"), Path.of("/usr/lib/passwd"));
        Files.createSymbolicLink(root.resolve("etc/relative"), Path.of("../usr/lib/passwd"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("etc/chain"), Path.of("/lib/../lib/passwd"));
        assertThat(read("/etc/absolute")).isEqualTo("from usr/lib\n");
        assertThat(read("/etc/relative")).isEqualTo("from usr/lib\n");
        assertThat(read("/lib/passwd")).isEqualTo("from usr/lib\n");
        assertThat(read("/etc/chain")).isEqualTo("from usr/lib\n");
        assertThat(RootPaths.resolve(root, "/lib/passwd")).isEqualTo(root.resolve("usr/lib/passwd"));
    }

    @Test
    void linksOutOfTheRootLandInsideIt() throws IOException {
        Path outside = host.resolve("secret");
        Files.createSymbolicLink(root.resolve("etc/up"), root.resolve("etc").relativize(outside)); // ../../host/secret
        Files.createSymbolicLink(root.resolve("etc/host"), outside.toAbsolutePath());
        Files.createSymbolicLink(root.resolve("hostdir"), host.toAbsolutePath());
        assertThat(Files.readString(root.resolve("etc/host"))).as("the host itself follows it").isEqualTo("on the host\n");
        assertThat(Files.readString(root.resolve("etc/up"))).as("the host itself follows it").isEqualTo("on the host\n");
        assertThat(read("/etc/up")).isNull();
        assertThat(read("/etc/host")).isNull();
        assertThat(read("/hostdir/secret")).isNull();
        assertThat(RootPaths.resolve(root, "/etc/host")).isEqualTo(root.resolve(outside.toAbsolutePath().toString().substring(1)));
        assertThat(RootPaths.resolve(root, "/etc/up")).isEqualTo(root.resolve("host/secret"));

        // the same file placed inside the root at the path the link names is what is read
        Path inRoot = root.resolve(outside.toAbsolutePath().toString().substring(1));
        Files.createDirectories(inRoot.getParent());
        Files.writeString(inRoot, "the root's own\n");
        assertThat(read("/etc/host")).isEqualTo("the root's own\n");
    }

    @Test
    void aLinkToItselfOrALoopFailsAfterABoundedNumberOfHops() throws IOException {
        Files.delete(root.resolve("etc/passwd"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("etc/group"), Path.of("../../../../../etc/group"));
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("/a"));
        for (String path : new String[] {"/etc/passwd", "/etc/group", "/a", "/b/x"}) {
            assertThatThrownBy(() -> RootPaths.resolve(root, path)).isInstanceOf(FileSystemException.class)
                    .hasMessage(path + ": has too many levels of symbolic links (a loop: links lead only to paths inside the root)");
        }
        // forty links in a row are fine, the forty-first is not
        Files.writeString(root.resolve("end"), "end\n");
        Files.createSymbolicLink(root.resolve("l0"), Path.of("end"));
        for (int i = 1; i <= RootPaths.MAX_LINKS; i++) {
            Files.createSymbolicLink(root.resolve("l" + i), Path.of("l" + (i - 1)));
        }
        assertThat(read("/l" + (RootPaths.MAX_LINKS - 1))).isEqualTo("end\n");
        assertThatThrownBy(() -> read("/l" + RootPaths.MAX_LINKS)).isInstanceOf(FileSystemException.class);
    }

    @Test
    void aFifoIsRefusedWithoutBlockingAndADirectoryIsNoFile() throws Exception {
        Files.delete(root.resolve("etc/passwd"));
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("etc/passwd").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        Files.createSymbolicLink(root.resolve("etc/via-link"), Path.of("passwd"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> read("/etc/passwd")).isInstanceOf(FileSystemException.class)
                    .hasMessage("/etc/passwd: is a FIFO, not a regular file");
            assertThatThrownBy(() -> read("/etc/via-link")).hasMessage("/etc/via-link: is a FIFO, not a regular file");
        });
        assertThatThrownBy(() -> read("/etc")).hasMessage("/etc: is a directory, not a regular file");
        assertThatThrownBy(() -> read("/etc/passwd/x")).isInstanceOf(FileSystemException.class)
                .hasMessageStartingWith("/etc/passwd/x: cannot be resolved").hasMessageNotContaining(root.toString());
    }

    @Test
    void aFileIsReadUpToItsCapAndRefusedPastIt() throws IOException {
        Files.write(root.resolve("etc/exact"), new byte[1 << 20]);
        Files.write(root.resolve("etc/big"), new byte[(1 << 20) + 1]);
        assertThat(RootPaths.readRegularFile(root, "/etc/exact", 1 << 20).orElseThrow()).hasSize(1 << 20);
        assertThatThrownBy(() -> RootPaths.readRegularFile(root, "/etc/big", 1 << 20)).isInstanceOf(FileSystemException.class)
                .hasMessage("/etc/big: is larger than 1 MiB");
        assertThatThrownBy(() -> RootPaths.readRegularFile(root, "/etc/passwd", 5)).hasMessage("/etc/passwd: is larger than 5 bytes");
        assertThat(RootPaths.readRegularFile(root, "/etc/missing", 5)).isEmpty();
        assertThat(RootPaths.readRegularFile(root, "/missing/dir/file", 5)).isEmpty();
    }
}
