package dev.wharf.testing;

import dev.wharf.runtime.content.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A Debian bookworm image holding Debian's own nginx, built with mmdebstrap from the host's package
 * mirror ({@link DebianMirror}) and packed with umoci, for tests that run a real distribution image
 * as it is. nginx is set up the way images that run without root set it up: it listens on
 * {@value #PORT}, keeps its pid file and temp files under {@code /tmp}, logs errors to stderr and
 * requests to stdout, and serves {@link #PAGE} from {@code /srv/www}. The image config runs
 * {@code nginx -e stderr -g "daemon off;"} as the user {@code www-data} (by name), exposes
 * {@code 8080/tcp} and stops with {@code SIGQUIT} (nginx's graceful shutdown).
 *
 * <p>Building takes a minute or two, so the layout is kept under {@code /var/tmp/wharf-test-cache/}
 * ({@link WorkDirs#cache}) in a directory named after a hash of the suite, packages, recipe,
 * mirror and the suite's Release date: a new mirror publication or a changed recipe builds anew
 * (and removes the older builds); deleting the directory forces a rebuild.
 */
public final class DebianNginxImage {

    /** The tag of the image in the layout. */
    public static final String TAG = "nginx";
    public static final int PORT = 8080;
    public static final String PAGE = "<!doctype html><title>wharf</title><p>Debian's nginx, served from a Wharf container</p>\n";

    private static final String SUITE = "bookworm";
    private static final String VARIANT = "essential";
    private static final List<String> PACKAGES = List.of("nginx-light");
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(10);
    private static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    private static final String NGINX_CONF = """
            worker_processes 1;
            pid /tmp/nginx.pid;
            error_log stderr notice;
            events {
                worker_connections 64;
            }
            http {
                include /etc/nginx/mime.types;
                access_log /dev/stdout;
                client_body_temp_path /tmp/nginx-client-body;
                proxy_temp_path /tmp/nginx-proxy;
                fastcgi_temp_path /tmp/nginx-fastcgi;
                uwsgi_temp_path /tmp/nginx-uwsgi;
                scgi_temp_path /tmp/nginx-scgi;
                server {
                    listen 8080;
                    root /srv/www;
                    index index.html;
                }
            }
            """;
    private static final List<String> CONFIG = List.of("--os", "linux", "--architecture", "amd64", "--config.user", "www-data",
            "--config.cmd", "nginx", "--config.cmd=-e", "--config.cmd", "stderr", "--config.cmd=-g", "--config.cmd", "daemon off;",
            "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--config.workingdir", "/",
            "--config.exposedports", PORT + "/tcp", "--config.stopsignal", "SIGQUIT");

    private DebianNginxImage() {
    }

    /**
     * The cached layout, built first when the mirror has published since (or nothing is cached). Skips
     * (fails with {@code WHARF_STRICT_TESTS=true}) without root, mmdebstrap, umoci, Debian's archive
     * keyring or a reachable Debian mirror in the host's apt sources.
     */
    public static Path layout() throws IOException, InterruptedException {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "building a Debian image needs root");
        Prerequisites.require(Commands.onPath("mmdebstrap") && Commands.onPath("umoci") && Files.isRegularFile(KEYRING),
                "mmdebstrap, umoci and debian-archive-keyring are not installed");
        Optional<DebianMirror> found = DebianMirror.of(Path.of("/etc/apt"));
        Prerequisites.require(found.isPresent(), "no Debian package mirror (a deb entry of a main suite with the main component) "
                + "in /etc/apt/sources.list or /etc/apt/sources.list.d");
        DebianMirror mirror = found.orElseThrow();
        String date = null;
        String unreachable = null;
        try {
            date = mirror.releaseDate(SUITE);
        } catch (IOException e) {
            unreachable = e.toString();
        }
        Prerequisites.require(date != null, "the Debian package mirror " + mirror.uri() + " (from " + mirror.source()
                + ") cannot be reached: " + unreachable);
        Path cache = WorkDirs.cache("debian-nginx");
        String key = Digests.sha256(String.join("\n", SUITE, VARIANT, String.join(",", PACKAGES), NGINX_CONF, PAGE,
                String.join(" ", CONFIG), mirror.uri(), date).getBytes(StandardCharsets.UTF_8)).substring("sha256:".length(), 23);
        Path layout = cache.resolve(key);
        if (!Files.isDirectory(layout)) {
            build(cache, layout, mirror);
        }
        return layout;
    }

    private static void build(Path cache, Path layout, DebianMirror mirror) throws IOException, InterruptedException {
        long begin = System.nanoTime();
        Path work = cache.resolve("building-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            OciImageBuilder image = OciImageBuilder.start(work, TAG);
            Path rootfs = image.rootfs();
            Commands.run(List.of("mmdebstrap", "--mode=root", "--variant=" + VARIANT, "--include=" + String.join(",", PACKAGES),
                    "--aptopt=Acquire::Check-Valid-Until \"false\"", "--dpkgopt=path-exclude=/usr/share/doc/*",
                    "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*", "--quiet", SUITE,
                    rootfs.toString(), "deb " + mirror.uri() + " " + SUITE + " main"), BUILD_LIMIT);
            Files.writeString(rootfs.resolve("etc/nginx/nginx.conf"), NGINX_CONF);
            Files.writeString(Files.createDirectories(rootfs.resolve("srv/www")).resolve("index.html"), PAGE);
            image.commit();
            image.config(CONFIG.toArray(String[]::new));
            try {
                Files.move(image.layout(), layout, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException builtMeanwhile) {
                // another run built the same image: keep its layout
            }
        } finally {
            WorkDirs.delete(work);
        }
        System.out.printf("DebianNginxImage: built %s in %d s%n", layout, Duration.ofNanos(System.nanoTime() - begin).toSeconds());
        removeOthers(cache, layout);
    }

    /**
     * Earlier builds (another mirror date or recipe), and builds that a killed run left (unmounted first)
     * once they are older than any build may take.
     */
    private static void removeOthers(Path cache, Path keep) throws IOException {
        FileTime abandoned = FileTime.from(Instant.now().minus(BUILD_LIMIT.plusMinutes(1)));
        List<Path> others = new ArrayList<>();
        try (Stream<Path> listed = Files.list(cache)) {
            for (Path other : listed.filter(p -> !p.equals(keep)).toList()) {
                if (!other.getFileName().toString().startsWith("building-")
                        || Files.getLastModifiedTime(other).compareTo(abandoned) < 0) {
                    others.add(other);
                }
            }
        }
        for (Path other : others) {
            WorkDirs.delete(other);
        }
    }
}
