package dev.wharf.runtime.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host command to completion, capturing both streams, with a deadline. */
public final class CommandRunner {

    /** @param truncated whether a stream passed the run's byte limit (only the first bytes of it are kept) */
    public record Result(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {

        public Result(int exitCode, String stdout, String stderr, boolean timedOut) {
            this(exitCode, stdout, stderr, timedOut, false);
        }

        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** The most useful line of what the command said, for error messages. */
        public String reason() {
            String text = !stderr.isBlank() ? stderr : stdout;
            String[] lines = text.strip().split("\n");
            return timedOut ? "timed out" : lines.length == 0 || lines[lines.length - 1].isBlank() ? "exit code " + exitCode
                    : lines[lines.length - 1];
        }
    }

    /**
     * Daemon threads for blocking work around commands (stream readers, waiting on runc), so it
     * never lands on the small common pool.
     */
    static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "runtime-command");
        thread.setDaemon(true);
        return thread;
    });

    private CommandRunner() {
    }

    public static Result run(List<String> command, Duration timeout) {
        return run(command, timeout, null);
    }

    /** Runs {@code command}; {@code onTimeout} (may be null) is called before the process is killed at the deadline. */
    static Result run(List<String> command, Duration timeout, Runnable onTimeout) {
        return run(command, java.util.Map.of(), null, timeout, onTimeout, Integer.MAX_VALUE, null);
    }

    /**
     * Runs {@code command} keeping at most {@code maxBytes} of each stream. When a stream passes
     * that, {@code onOverflow} runs once, on the thread reading that stream (so the command blocks
     * on its next write meanwhile, if it writes on), and whatever more arrives is read and dropped:
     * memory stays bounded however much the command prints.
     */
    static Result run(List<String> command, Duration timeout, Runnable onTimeout, int maxBytes, Runnable onOverflow) {
        return run(command, java.util.Map.of(), null, timeout, onTimeout, maxBytes, onOverflow);
    }

    /** Runs {@code command} with extra environment variables and {@code stdin} (null: nothing) as its input. */
    public static Result run(List<String> command, java.util.Map<String, String> env, byte[] stdin, Duration timeout) {
        return run(command, env, stdin, timeout, null, Integer.MAX_VALUE, null);
    }

    private static Result run(List<String> command, java.util.Map<String, String> env, byte[] stdin, Duration timeout,
            Runnable onTimeout, int maxBytes, Runnable onOverflow) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            process = builder.start();
            if (stdin != null) {
                try (var input = process.getOutputStream()) {
                    input.write(stdin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        Runnable overflowOnce = once(onOverflow);
        Capture out = new Capture(process.getInputStream(), maxBytes, overflowOnce);
        Capture err = new Capture(process.getErrorStream(), maxBytes, overflowOnce);
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                if (onTimeout != null) {
                    onTimeout.run();
                }
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            String stdout = out.text(10, TimeUnit.SECONDS);
            String stderr = err.text(10, TimeUnit.SECONDS);
            return new Result(process.exitValue(), stdout, stderr, timedOut, out.truncated() || err.truncated());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot read the output of " + command.get(0), e);
        }
    }

    private static Runnable once(Runnable action) {
        if (action == null) {
            return () -> { };
        }
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    /** Reads one stream of a command on its own thread, keeping its first {@code maxBytes}. */
    private static final class Capture {

        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final InputStream stream;
        private final CompletableFuture<Void> done;
        private final int maxBytes;
        private volatile boolean truncated;

        Capture(InputStream stream, int maxBytes, Runnable onOverflow) {
            this.maxBytes = maxBytes;
            this.stream = stream;
            this.done = CompletableFuture.runAsync(() -> read(stream, onOverflow), THREADS);
        }

        private void read(InputStream stream, Runnable onOverflow) {
            byte[] buffer = new byte[8192];
            try (stream) {
                int n;
                while ((n = stream.read(buffer)) >= 0) {
                    if (truncated) {
                        continue; // past the limit: dropped
                    }
                    synchronized (kept) {
                        int room = maxBytes - kept.size();
                        kept.write(buffer, 0, Math.min(n, room));
                        truncated = n > room;
                    }
                    if (truncated) {
                        onOverflow.run();
                    }
                }
            } catch (IOException e) {
                // the stream broke or was closed: keep what was read
            }
        }

        boolean truncated() {
            return truncated;
        }

        /**
         * What was read, once the stream has ended. A stream still open after {@code wait} (a
         * process left behind holds it) is closed, and what it gave so far is the answer.
         */
        String text(long wait, TimeUnit unit) throws InterruptedException, java.util.concurrent.ExecutionException {
            try {
                done.get(wait, unit);
            } catch (java.util.concurrent.TimeoutException e) {
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }
            synchronized (kept) {
                byte[] bytes = kept.toByteArray();
                return new String(bytes, 0, truncated ? wholeCharacters(bytes) : bytes.length, StandardCharsets.UTF_8);
            }
        }
    }

    /** The length of {@code bytes} without a UTF-8 sequence cut off at its end. */
    static int wholeCharacters(byte[] bytes) {
        int end = bytes.length;
        for (int back = 1; back <= Math.min(4, end); back++) {
            int b = bytes[end - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // a continuation byte: look further back for its lead byte
            }
            int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return needed > back ? end - back : end;
        }
        return end;
    }
}
