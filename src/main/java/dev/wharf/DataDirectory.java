package dev.wharf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Makes {@code wharf.data-dir} private before anything in the context opens a file in it: the
 * directory itself is traverse-only (0711: containers' mapped ids pass through it to their own
 * root filesystems, nobody lists it), and an H2 database under it lives in a root-only
 * directory (0700) with root-only files (0600). An existing data directory is corrected the same
 * way. The runtime's own trees are made private by the runtime ({@code runtime.local.PrivateTrees}).
 * Runs as a bean-factory post-processor: after every property source (a test's too) is in the
 * environment, before any bean (the data source among them) exists.
 */
@Component
class DataDirectory implements BeanFactoryPostProcessor, EnvironmentAware, ApplicationListener<ContextRefreshedEvent> {

    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    private static final Set<PosixFilePermission> ROOT_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final String H2_FILE = "jdbc:h2:file:";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        directory(dataDir(), TRAVERSE_ONLY);
        databaseDir().ifPresent(dir -> {
            directory(dir, ROOT_ONLY);
            privateFiles(dir);
        });
    }

    /** Once the database is open: the files H2 created meanwhile (a first start makes them all). */
    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        databaseDir().filter(dir -> Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)).ifPresent(DataDirectory::privateFiles);
    }

    private Path dataDir() {
        return Path.of(environment.getProperty("wharf.data-dir", "/var/lib/wharf")).toAbsolutePath().normalize();
    }

    /** The directory of an H2 file database in a directory of its own under the data dir (the default {@code db/}). */
    private java.util.Optional<Path> databaseDir() {
        String url = environment.getProperty("spring.datasource.url", "");
        if (ModeEnvironment.isNode(environment) || !url.startsWith(H2_FILE)) {
            return java.util.Optional.empty();
        }
        Path data = dataDir();
        Path dir = Path.of(url.substring(H2_FILE.length()).split(";", 2)[0]).toAbsolutePath().normalize().getParent();
        return dir != null && dir.startsWith(data) && !dir.equals(data) ? java.util.Optional.of(dir) : java.util.Optional.empty();
    }

    private static void directory(Path dir, Set<PosixFilePermission> mode) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
            }
            Files.setPosixFilePermissions(dir, mode); // the umask may have taken bits off at creation
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory " + dir, e);
        }
    }

    /** The files H2 made (with the process umask, usually 0644). */
    private static void privateFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(file, PRIVATE_FILE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the database files in " + dir + " private", e);
        }
    }
}
