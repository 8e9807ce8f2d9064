package dev.wharf.runtime.api;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An interactive process in a container with a pseudo-terminal (the dashboard's web terminal).
 * {@link #output()} ends when the process has exited; {@link #close()} hangs up (the process
 * receives SIGHUP) and releases the terminal.
 */
public interface TerminalSession extends Closeable {

    /** What the process writes to its terminal (stdout and stderr are one stream on a terminal). */
    InputStream output();

    /** Keystrokes for the process. */
    OutputStream input();

    /** Tells the process its terminal now has {@code cols} columns and {@code rows} rows (it receives SIGWINCH). */
    void resize(int cols, int rows);

    @Override
    void close();
}
