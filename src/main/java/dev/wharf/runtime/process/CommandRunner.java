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

    public record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
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
        return run(command, java.util.Map.of(), null, timeout, onTimeout);
    }

    /** Runs {@code command} with extra environment variables and {@code stdin} (null: nothing) as its input. */
    public static Result run(List<String> command, java.util.Map<String, String> env, byte[] stdin, Duration timeout) {
        return run(command, env, stdin, timeout, null);
    }

    private static Result run(List<String> command, java.util.Map<String, String> env, byte[] stdin, Duration timeout,
            Runnable onTimeout) {
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
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
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
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS), timedOut);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the output of " + command.get(0), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                stream.transferTo(buffer);
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, THREADS);
    }
}
