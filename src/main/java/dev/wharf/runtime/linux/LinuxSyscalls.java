package dev.wharf.runtime.linux;

/**
 * The few Linux system calls Java lacks. The only implementation that touches the kernel is
 * {@link #jna()}; tests use a recording fake. Every failure is a {@link SyscallException}
 * carrying the call, errno and the kernel's text.
 */
public interface LinuxSyscalls {

    long MS_RDONLY = 1;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;
    long MS_NOEXEC = 8;
    long MS_REMOUNT = 32;
    long MS_BIND = 4096;
    long MS_REC = 16384;
    long MS_PRIVATE = 1 << 18;
    int MNT_DETACH = 2;
    int PR_SET_CHILD_SUBREAPER = 36;
    long OVERLAYFS_SUPER_MAGIC = 0x794c7630L;
    /** The file type bits of a character device, for {@link #mknod}. */
    int S_IFCHR = 0020000;
    /** errno: the filesystem does not support the operation (extended attributes, for example). */
    int EOPNOTSUPP = 95;

    /** {@code mount(2)}. */
    void mount(String source, String target, String fstype, long flags, String data);

    /** {@code umount2(2)}. */
    void umount2(String target, int flags);

    /** {@code prctl(2)} with one argument. */
    void prctl(int option, long arg);

    /** {@code kill(2)}. */
    void kill(int pid, int signal);

    /**
     * Sends {@code signal} to process {@code pid} only while it is {@code parent}'s child, without a race with the pid
     * being reused: through a pidfd ({@code pidfd_open(2)}, {@code pidfd_send_signal(2)}), the parent checked after the
     * pidfd is open. False, and nothing sent, when {@code pid} is not (or no longer) {@code parent}'s child or has exited;
     * a {@link SyscallException} when the kernel lacks pidfds (before 5.3).
     */
    boolean killChild(int pid, int parent, int signal);

    /** {@code statfs(2)}: the filesystem type magic and sizes of the filesystem holding {@code path}. */
    StatFs statfs(String path);

    /** {@code geteuid(2)}. */
    int geteuid();

    /** {@code mknod(2)}: creates a device node; {@code mode} holds the file type ({@link #S_IFCHR}) and permissions. */
    void mknod(String path, int mode, long dev);

    /** {@code lsetxattr(2)}: sets an extended attribute of {@code path} itself, never of a symlink's target. */
    void lsetxattr(String path, String name, byte[] value);

    record StatFs(long type, long blockSize, long blocks, long blocksFree, long blocksAvailable) {
    }

    /** The kernel-backed implementation. */
    static LinuxSyscalls jna() {
        return JnaLinuxSyscalls.INSTANCE;
    }
}
