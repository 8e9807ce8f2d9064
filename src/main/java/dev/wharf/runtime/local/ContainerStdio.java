package dev.wharf.runtime.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The output pipes of a created container's first process, handed to the user it runs as (as Docker's
 * shim does). conmon makes them as host root, an owner the container's user namespace does not map,
 * so without this even the container's root could not open {@code /dev/stdout} by name, and software
 * that logs that way ({@code access_log /dev/stdout} in nginx) would fail to start. Only pipes are
 * touched, never a file or device the descriptors might name, and only while the process waits in
 * runc's created state, before any of the image's code has run.
 */
final class ContainerStdio {

    private ContainerStdio() {
    }

    /** Gives the pipes on descriptors 0-2 of process {@code pid} its effective host uid and gid. */
    static void handOver(int pid) {
        Path process = Path.of("/proc", Integer.toString(pid));
        try {
            int uid = effectiveId(process, "Uid:");
            int gid = effectiveId(process, "Gid:");
            for (int fd = 0; fd <= 2; fd++) {
                Path link = process.resolve("fd").resolve(Integer.toString(fd));
                if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().startsWith("pipe:")) {
                    // chown through the descriptor's link reaches the pipe itself
                    Files.setAttribute(link, "unix:uid", uid);
                    Files.setAttribute(link, "unix:gid", gid);
                }
            }
        } catch (NoSuchFileException gone) {
            // the process ended already: starting the container reports it
        } catch (IOException e) {
            throw new UncheckedIOException("give the output pipes of process " + pid + " to its user", e);
        }
    }

    /** The effective id of a {@code Uid:} or {@code Gid:} line of the process's status (real, effective, saved, fs). */
    private static int effectiveId(Path process, String field) throws IOException {
        for (String line : Files.readAllLines(process.resolve("status"))) {
            if (line.startsWith(field)) {
                return Integer.parseUnsignedInt(line.substring(field.length()).strip().split("\\s+")[1]);
            }
        }
        throw new IOException(process.resolve("status") + " has no " + field + " line");
    }
}
