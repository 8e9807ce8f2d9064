package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The init a container that asks for one runs as PID 1 (Docker's {@code --init}): a statically
 * linked {@code tini} on the host ({@code wharf.runtime.init}), bind-mounted read-only into the
 * container, so it runs in any image, with or without a C library. Checked afresh on each use:
 * installing the package later needs no restart. Without it only containers that ask for an init
 * are refused; the node's status names what is missing.
 */
final class InitBinary {

    static final String PACKAGE = "tini";
    private static final int PT_INTERP = 3;
    private static final int HEADER_BYTES = 64;

    private final Path path;

    InitBinary(Path path) {
        this.path = path;
    }

    /** What keeps containers from running with an init here, or empty. */
    Optional<String> problem() {
        if (!Files.isRegularFile(path)) {
            return Optional.of("the init for containers with init: true is missing (" + path + "): install the " + PACKAGE
                    + " package, or point wharf.runtime.init at a statically linked init; other containers are not affected");
        }
        if (!Files.isExecutable(path)) {
            return Optional.of("the init for containers with init: true (" + path + ") is not executable");
        }
        if (!isStaticElf(path)) {
            return Optional.of("the init for containers with init: true (" + path + ") is not a statically linked executable: it"
                    + " must run in images without a C library (the " + PACKAGE + " package's /usr/bin/tini-static is one)");
        }
        return Optional.empty();
    }

    /**
     * The host file to bind at {@link dev.wharf.runtime.bundle.OciSpecBuilder#INIT_PATH} for this
     * spec: {@code null} when it asks for no init; {@code UNAVAILABLE} when it asks for one this
     * host lacks.
     */
    Path forSpec(ContainerSpec spec) {
        if (!spec.options().init()) {
            return null;
        }
        Optional<String> problem = problem();
        if (problem.isPresent()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "create " + spec.id() + ": " + problem.get());
        }
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "create " + spec.id() + ": the init " + path + " cannot be"
                    + " read: " + e.getMessage(), e);
        }
    }

    /** Whether the file is an ELF executable without a program interpreter (the dynamic loader a dynamic one names). */
    static boolean isStaticElf(Path file) {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
            in.read(h, 0);
            byte[] header = h.array();
            if (h.position() < 52 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
                return false;
            }
            boolean wide = header[4] == 2;
            h.order(header[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long programHeaders = wide ? h.getLong(32) : Integer.toUnsignedLong(h.getInt(28));
            int entrySize = Short.toUnsignedInt(h.getShort(wide ? 54 : 42));
            int entries = Short.toUnsignedInt(h.getShort(wide ? 56 : 44));
            if (entrySize < 4 || entries == 0 || programHeaders <= 0 || programHeaders + (long) entrySize * entries > in.size()) {
                return false; // no table, or one cut short: not an executable to trust
            }
            ByteBuffer table = ByteBuffer.allocate(entrySize * entries).order(h.order());
            while (table.hasRemaining() && in.read(table, programHeaders + table.position()) > 0) {
                // positional reads until the table is whole
            }
            for (int i = 0; i < entries; i++) {
                if (table.getInt(i * entrySize) == PT_INTERP) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
