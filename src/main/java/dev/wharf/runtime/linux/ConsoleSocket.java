package dev.wharf.runtime.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The receiving end of runc's {@code --console-socket}: a Unix socket on which runc sends the
 * pseudo-terminal master of a process it starts with {@code -t}, as an SCM_RIGHTS message.
 * Also the terminal master itself: read, write, resize and close.
 */
public final class ConsoleSocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SHUT_RDWR = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final long TIOCSWINSZ = 0x5414;

    private interface Libc extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] address, int length) throws LastErrorException;

        int listen(int fd, int backlog) throws LastErrorException;

        int accept(int fd, Pointer address, Pointer length) throws LastErrorException;

        long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

        int shutdown(int fd, int how) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        long read(int fd, byte[] buffer, long count) throws LastErrorException;

        long write(int fd, byte[] buffer, long count) throws LastErrorException;

        int ioctl(int fd, long request, byte[] argument) throws LastErrorException;
    }

    private static final Libc LIBC = Native.load("c", Libc.class);

    private final Path path;
    private final int listenFd;

    private ConsoleSocket(Path path, int listenFd) {
        this.path = path;
        this.listenFd = listenFd;
    }

    /** Listens on a new Unix socket at {@code path} (at most 107 bytes long). */
    public static ConsoleSocket listen(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > 107) {
            throw new IllegalArgumentException("console socket path too long: " + path);
        }
        byte[] address = new byte[2 + 108];
        address[0] = (byte) AF_UNIX; // sun_family, little-endian unsigned short
        System.arraycopy(name, 0, address, 2, name.length);
        int fd = call("socket", () -> LIBC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try {
            call("bind(" + path + ")", () -> LIBC.bind(fd, address, address.length));
            call("listen", () -> LIBC.listen(fd, 1));
        } catch (SyscallException e) {
            LIBC.close(fd);
            throw e;
        }
        return new ConsoleSocket(path, fd);
    }

    /** Waits for runc to connect and returns the terminal it sends. {@link #abort()} ends the wait. */
    public Terminal receive() {
        int connection = call("accept", () -> LIBC.accept(listenFd, null, null));
        try {
            Memory data = new Memory(4096);
            Memory iov = new Memory(16);
            iov.setPointer(0, data);
            iov.setLong(8, data.size());
            Memory control = new Memory(64);
            control.clear();
            Memory message = new Memory(56);
            message.clear();
            message.setPointer(16, iov); // msg_iov
            message.setLong(24, 1); // msg_iovlen
            message.setPointer(32, control); // msg_control
            message.setLong(40, control.size()); // msg_controllen
            callLong("recvmsg", () -> LIBC.recvmsg(connection, message, 0));
            if (control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) {
                throw new SyscallException("recvmsg", 0, "runc sent no terminal");
            }
            return new Terminal(control.getInt(16));
        } finally {
            LIBC.close(connection);
        }
    }

    /** Wakes a thread blocked in {@link #receive()} (for when runc failed before connecting). */
    public void abort() {
        try {
            LIBC.shutdown(listenFd, SHUT_RDWR);
        } catch (LastErrorException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            LIBC.close(listenFd);
        } catch (LastErrorException ignored) {
            // already closed
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket file is harmless; the next one gets a new name
        }
    }

    /** A pseudo-terminal master. Reading ends when the process on the other side has gone. */
    public static final class Terminal implements AutoCloseable {
        private final int fd;
        private volatile boolean closed;

        Terminal(int fd) {
            this.fd = fd;
        }

        public void resize(int cols, int rows) {
            byte[] size = new byte[8]; // struct winsize {rows, cols, xpixel, ypixel}, unsigned shorts
            size[0] = (byte) rows;
            size[1] = (byte) (rows >> 8);
            size[2] = (byte) cols;
            size[3] = (byte) (cols >> 8);
            call("ioctl(TIOCSWINSZ)", () -> LIBC.ioctl(fd, TIOCSWINSZ, size));
        }

        public InputStream input() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    if (closed || length == 0) {
                        return closed ? -1 : 0;
                    }
                    byte[] chunk = new byte[Math.min(length, 16 * 1024)];
                    try {
                        long n = LIBC.read(fd, chunk, chunk.length);
                        if (n <= 0) {
                            return -1;
                        }
                        System.arraycopy(chunk, 0, buffer, offset, (int) n);
                        return (int) n;
                    } catch (LastErrorException e) {
                        return -1; // EIO: the other side hung up
                    }
                }
            };
        }

        public OutputStream output() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] buffer, int offset, int length) throws IOException {
                    byte[] chunk = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
                    int done = 0;
                    while (done < chunk.length) {
                        byte[] rest = done == 0 ? chunk : java.util.Arrays.copyOfRange(chunk, done, chunk.length);
                        try {
                            done += (int) LIBC.write(fd, rest, rest.length);
                        } catch (LastErrorException e) {
                            throw new IOException("terminal closed", e);
                        }
                    }
                }
            };
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    LIBC.close(fd);
                } catch (LastErrorException ignored) {
                    // already closed
                }
            }
        }
    }

    private interface IntCall {
        int run() throws LastErrorException;
    }

    private interface LongCall {
        long run() throws LastErrorException;
    }

    private static int call(String what, IntCall call) {
        try {
            return call.run();
        } catch (LastErrorException e) {
            throw new SyscallException(what, e.getErrorCode(), e.getMessage());
        }
    }

    private static long callLong(String what, LongCall call) {
        try {
            return call.run();
        } catch (LastErrorException e) {
            throw new SyscallException(what, e.getErrorCode(), e.getMessage());
        }
    }
}
