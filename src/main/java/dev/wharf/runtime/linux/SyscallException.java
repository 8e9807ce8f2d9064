package dev.wharf.runtime.linux;

/** A failed system call: {@code mount("overlay", "/x", ...): EPERM (Operation not permitted)}. */
public class SyscallException extends RuntimeException {

    private final String call;
    private final int errno;

    public SyscallException(String call, int errno, String text) {
        super(call + ": errno " + errno + " (" + text + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
