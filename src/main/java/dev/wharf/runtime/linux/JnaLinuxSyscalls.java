package dev.wharf.runtime.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/** {@link LinuxSyscalls} through JNA into the C library. */
final class JnaLinuxSyscalls implements LinuxSyscalls {

    static final JnaLinuxSyscalls INSTANCE = new JnaLinuxSyscalls();

    private interface NativeFunctions extends Library {
        int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

        int umount2(String target, int flags) throws LastErrorException;

        int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

        int kill(int pid, int signal) throws LastErrorException;

        /** pidfd_open(pid, flags) */
        int syscall(long number, int pid, int flags) throws LastErrorException;

        /** pidfd_send_signal(pidfd, sig, info, flags) */
        int syscall(long number, int pidfd, int signal, com.sun.jna.Pointer info, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int statfs(String path, StatfsStruct buf) throws LastErrorException;

        int geteuid();

        int mknod(String path, int mode, long dev) throws LastErrorException;

        int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        String strerror(int errno);
    }

    /** {@code struct statfs} on 64-bit Linux. */
    @Structure.FieldOrder({"f_type", "f_bsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_fsid", "f_namelen",
            "f_frsize", "f_flags", "f_spare"})
    public static final class StatfsStruct extends Structure {
        public long f_type;
        public long f_bsize;
        public long f_blocks;
        public long f_bfree;
        public long f_bavail;
        public long f_files;
        public long f_ffree;
        public int[] f_fsid = new int[2];
        public long f_namelen;
        public long f_frsize;
        public long f_flags;
        public long[] f_spare = new long[4];
    }

    private final NativeFunctions libc;

    private JnaLinuxSyscalls() {
        this.libc = Native.load("c", NativeFunctions.class);
    }

    @Override
    public void mount(String source, String target, String fstype, long flags, String data) {
        try {
            libc.mount(source, target, fstype, flags, data);
        } catch (LastErrorException e) {
            throw failure("mount(\"" + source + "\", \"" + target + "\", \"" + fstype + "\")", e);
        }
    }

    @Override
    public void umount2(String target, int flags) {
        try {
            libc.umount2(target, flags);
        } catch (LastErrorException e) {
            throw failure("umount2(\"" + target + "\")", e);
        }
    }

    @Override
    public void prctl(int option, long arg) {
        try {
            libc.prctl(option, arg, 0, 0, 0);
        } catch (LastErrorException e) {
            throw failure("prctl(" + option + ")", e);
        }
    }

    @Override
    public void kill(int pid, int signal) {
        try {
            libc.kill(pid, signal);
        } catch (LastErrorException e) {
            throw failure("kill(" + pid + ", " + signal + ")", e);
        }
    }

    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int ESRCH = 3;

    @Override
    public boolean killChild(int pid, int parent, int signal) {
        if (pid <= 1 || parent <= 1) {
            return false;
        }
        int pidfd;
        try {
            pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return false;
            }
            throw failure("pidfd_open(" + pid + ")", e);
        }
        try {
            // the pidfd names one process for good: if it is parent's child now, the signal reaches that process or none
            if (parentOf(pid) != parent) {
                return false;
            }
            libc.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, null, 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return false;
            }
            throw failure("pidfd_send_signal(" + pid + ", " + signal + ")", e);
        } finally {
            try {
                libc.close(pidfd);
            } catch (LastErrorException ignored) {
                // nothing to do about it
            }
        }
    }

    /** The parent pid in {@code /proc/<pid>/stat} (after the command, which may hold spaces and parentheses); 0 when gone. */
    private static int parentOf(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[1]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public StatFs statfs(String path) {
        StatfsStruct buf = new StatfsStruct();
        try {
            libc.statfs(path, buf);
        } catch (LastErrorException e) {
            throw failure("statfs(\"" + path + "\")", e);
        }
        return new StatFs(buf.f_type, buf.f_bsize, buf.f_blocks, buf.f_bfree, buf.f_bavail);
    }

    @Override
    public int geteuid() {
        return libc.geteuid();
    }

    @Override
    public void mknod(String path, int mode, long dev) {
        try {
            libc.mknod(path, mode, dev);
        } catch (LastErrorException e) {
            throw failure("mknod(\"" + path + "\", 0" + Integer.toOctalString(mode) + ", " + dev + ")", e);
        }
    }

    @Override
    public void lsetxattr(String path, String name, byte[] value) {
        try {
            libc.lsetxattr(path, name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw failure("lsetxattr(\"" + path + "\", \"" + name + "\")", e);
        }
    }

    private SyscallException failure(String call, LastErrorException e) {
        int errno = e.getErrorCode();
        return new SyscallException(call, errno, libc.strerror(errno));
    }
}
