package dev.wharf.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A minimal root filesystem made from Debian's statically linked busybox, for container tests. */
public final class BusyboxRootfs {

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxRootfs() {
    }

    public static boolean available() {
        if (!Files.isExecutable(BUSYBOX)) {
            return false;
        }
        try {
            return !new ProcessBuilder("ldd", BUSYBOX.toString()).redirectErrorStream(true).start().inputReader().lines()
                    .anyMatch(line -> line.contains("=>"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the rootfs into {@code dir} (which must exist) and returns it. */
    public static Path create(Path dir) throws IOException, InterruptedException {
        for (String sub : List.of("bin", "proc", "dev", "sys", "etc", "tmp", "root", "var/tmp")) {
            Files.createDirectories(dir.resolve(sub));
        }
        Files.copy(BUSYBOX, dir.resolve("bin/busybox"));
        Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
        for (String applet : list.inputReader().lines().toList()) {
            if (!applet.equals("busybox") && !Files.exists(dir.resolve("bin").resolve(applet))) {
                Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
            }
        }
        list.waitFor();
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.setPosixFilePermissions(dir.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }
}
