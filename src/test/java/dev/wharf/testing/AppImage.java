package dev.wharf.testing;

import dev.wharf.runtime.registry.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * An application image built the way real ones are, as a Dockerfile with {@code USER},
 * {@code ENTRYPOINT}, {@code CMD}, {@code HEALTHCHECK} and {@code STOPSIGNAL} leaves it, on
 * Debian's static busybox, in an OCI layout tagged {@link #TAG} (this host's architecture):
 * <ul>
 * <li>{@code /etc/passwd}: {@code root} and {@code app:x:1000:1000:app:/home/app:/bin/sh};
 *     {@code /etc/group}: {@code root}, {@code app:x:1000:} and {@code extra:x:2000:app};
 *     {@code /home/app} belongs to app;</li>
 * <li>{@code USER app}, {@code WORKDIR /home/app}, {@code ENV PATH=/bin};</li>
 * <li>{@code ENTRYPOINT ["/entrypoint.sh"]}: writes {@code "<uid>:<gid> <args>"} to {@link #MARKER},
 *     then {@code exec "$@"};</li>
 * <li>{@code CMD ["/app/serve.sh"]}: touches {@link #HEALTHY_FILE}, prints {@link #SERVING_LINE}
 *     and runs until {@code SIGUSR1}, on which it prints {@link #STOPPED_LINE} and exits 0. As
 *     PID 1 it ignores the signals it has no handler for, so a stop that sends {@code TERM} ends in
 *     a kill (exit code 137);</li>
 * <li>{@code HEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD test -f /tmp/healthy}
 *     (healthy while {@link #HEALTHY_FILE} exists: remove it with an exec to make it unhealthy);</li>
 * <li>{@code STOPSIGNAL SIGUSR1}.</li>
 * </ul>
 * Runtime tests pull it from a {@link TestRegistry} ({@link #push}) or import {@link #archive};
 * API tests do the same over HTTP. Building needs root (files keep their owners), busybox-static
 * and umoci; {@link #create(Path, FilesChange)} changes the files first, for images that attack.
 */
public final class AppImage {

    public static final String TAG = "app";
    /** Written by the entrypoint: {@code "<uid>:<gid> <args>"}. */
    public static final String MARKER = "/tmp/entrypoint-ran";
    /** The health check passes while this file exists; the default command creates it. */
    public static final String HEALTHY_FILE = "/tmp/healthy";
    public static final String SERVING_LINE = "serving";
    public static final String STOPPED_LINE = "stopping on SIGUSR1";
    /** What busybox's {@code id} prints in a container of the image run as its own user. */
    public static final String ID_OF_APP = "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)";
    public static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n";
    public static final String GROUP = "root:x:0:\napp:x:1000:\nextra:x:2000:app\n";

    private static final String ENTRYPOINT = """
            #!/bin/sh
            echo "$(id -u):$(id -g) $*" > %s
            exec "$@"
            """.formatted(MARKER);
    private static final String SERVE = """
            #!/bin/sh
            trap 'echo "%s"; exit 0' USR1
            touch %s
            echo %s
            while :; do sleep 1 & wait $!; done
            """.formatted(STOPPED_LINE, HEALTHY_FILE, SERVING_LINE);
    private static final long SECOND_NANOS = 1_000_000_000L;

    /** A change to the image's files before they become its layer. */
    @FunctionalInterface
    public interface FilesChange {
        void apply(Path rootfs) throws IOException, InterruptedException;
    }

    private final Path layout;

    private AppImage(Path layout) {
        this.layout = layout;
    }

    /** Whether busybox-static, umoci and skopeo are installed (building needs root as well). */
    public static boolean available() {
        return BusyboxLayout.available();
    }

    /** Builds the image in {@code dir/layout} (using {@code dir/bundle} on the way). */
    public static AppImage create(Path dir) throws IOException, InterruptedException {
        return create(dir, rootfs -> { });
    }

    /** Builds the image with {@code change} applied to its files (after the ones above are written). */
    public static AppImage create(Path dir, FilesChange change) throws IOException, InterruptedException {
        OciImageBuilder image = OciImageBuilder.start(dir, TAG);
        Path rootfs = image.rootfs();
        BusyboxRootfs.create(rootfs);
        Files.writeString(rootfs.resolve("etc/passwd"), PASSWD);
        Files.writeString(rootfs.resolve("etc/group"), GROUP);
        Path home = Files.createDirectories(rootfs.resolve("home/app"));
        Files.setAttribute(home, "unix:uid", 1000);
        Files.setAttribute(home, "unix:gid", 1000);
        script(rootfs.resolve("entrypoint.sh"), ENTRYPOINT);
        script(Files.createDirectories(rootfs.resolve("app")).resolve("serve.sh"), SERVE);
        change.apply(rootfs);
        image.commit();
        image.config("--os", "linux", "--architecture", Platform.host().architecture(), "--config.user", "app",
                "--config.workingdir", "/home/app", "--config.env", "PATH=/bin", "--config.entrypoint", "/entrypoint.sh",
                "--config.cmd", "/app/serve.sh", "--config.stopsignal", "SIGUSR1");
        image.editConfig(config -> {
            var check = config.putObject("Healthcheck");
            check.putArray("Test").add("CMD-SHELL").add("test -f " + HEALTHY_FILE);
            check.put("Interval", SECOND_NANOS).put("Timeout", SECOND_NANOS).put("Retries", 2);
        });
        return new AppImage(image.layout());
    }

    public Path layout() {
        return layout;
    }

    /** The image as skopeo names it: {@code oci:<layout>:app}. */
    public String source() {
        return "oci:" + layout + ":" + TAG;
    }

    /** The image's manifest digest, as a node that pulled or imported it has it. */
    public String digest() throws IOException {
        return BusyboxLayout.digest(layout, TAG);
    }

    /** Pushes the image to {@code registry} as {@code repositoryAndTag}; returns the full reference. */
    public String push(TestRegistry registry, String repositoryAndTag) throws IOException, InterruptedException {
        registry.push(source(), repositoryAndTag);
        return registry.host() + "/" + repositoryAndTag;
    }

    /** Writes the image to {@code file} as an OCI archive named {@code name} ({@code repo:tag}), for an import. */
    public Path archive(Path file, String name) throws IOException, InterruptedException {
        Commands.run(List.of("skopeo", "copy", "--quiet", source(), "oci-archive:" + file + ":" + name));
        return file;
    }

    private static void script(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
