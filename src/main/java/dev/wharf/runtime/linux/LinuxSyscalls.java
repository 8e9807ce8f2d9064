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

    /** {@code mount(2)}. */
    void mount(String source, String target, String fstype, long flags, String data);

    /** {@code umount2(2)}. */
    void umount2(String target, int flags);

    /** {@code prctl(2)} with one argument. */
    void prctl(int option, long arg);

    /** {@code kill(2)}. */
    void kill(int pid, int signal);

    /** {@code statfs(2)}: the filesystem type magic and sizes of the filesystem holding {@code path}. */
    StatFs statfs(String path);

    /** {@code geteuid(2)}. */
    int geteuid();

    record StatFs(long type, long blockSize, long blocks, long blocksFree, long blocksAvailable) {
    }

    /** The kernel-backed implementation. */
    static LinuxSyscalls jna() {
        return JnaLinuxSyscalls.INSTANCE;
    }
}
