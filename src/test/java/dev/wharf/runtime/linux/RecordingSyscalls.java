package dev.wharf.runtime.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link LinuxSyscalls} without a kernel, for unit tests that run without root (youki's
 * {@code TestHelperSyscall}): every call is recorded as a line, such as
 * {@code mknod(/tmp/l/gone, 020000, 0)} or {@code lsetxattr(/tmp/l/dir, trusted.overlay.opaque, y)}
 * (values as UTF-8). {@code mknod} leaves an empty regular file standing in for the node, so code
 * that goes on to chown it still works; {@code geteuid} says root; {@code statfs} is not faked.
 */
public final class RecordingSyscalls implements LinuxSyscalls {

    private final List<String> calls = new ArrayList<>();

    /** The calls so far, oldest first. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void mount(String source, String target, String fstype, long flags, String data) {
        calls.add("mount(" + source + ", " + target + ", " + fstype + ", " + flags + ", " + data + ")");
    }

    @Override
    public void umount2(String target, int flags) {
        calls.add("umount2(" + target + ", " + flags + ")");
    }

    @Override
    public void prctl(int option, long arg) {
        calls.add("prctl(" + option + ", " + arg + ")");
    }

    @Override
    public void kill(int pid, int signal) {
        calls.add("kill(" + pid + ", " + signal + ")");
    }

    /** Records the call and sends nothing: callers go on as when the process is not the parent's child. */
    @Override
    public boolean killChild(int pid, int parent, int signal) {
        calls.add("killChild(" + pid + ", " + parent + ", " + signal + ")");
        return false;
    }

    @Override
    public StatFs statfs(String path) {
        throw new UnsupportedOperationException("RecordingSyscalls has no filesystems to statfs " + path);
    }

    @Override
    public int geteuid() {
        return 0;
    }

    @Override
    public void mknod(String path, int mode, long dev) {
        calls.add("mknod(" + path + ", 0" + Integer.toOctalString(mode) + ", " + dev + ")");
        try {
            Files.createFile(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException("stand-in for the device node " + path, e);
        }
    }

    @Override
    public void lsetxattr(String path, String name, byte[] value) {
        calls.add("lsetxattr(" + path + ", " + name + ", " + new String(value, StandardCharsets.UTF_8) + ")");
    }
}
