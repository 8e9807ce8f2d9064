package dev.wharf.runtime.process;

import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.linux.ConsoleSocket;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs containers with conmon + runc. conmon supervises each container (keeps its log and
 * writes its exit code to {@code <exitDir>/<id>}), so the JVM can restart without touching
 * running containers. runc keeps its state under its own {@code --root}.
 *
 * <p>Per container, under its directory: {@code pidfile} (container pid), {@code conmon.pid},
 * {@code runc.log} (runc's own errors, JSON lines), {@code ctr.log} (the container's output,
 * k8s-file format).
 */
public final class RuncProcessDriver {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String runc;
    private final String conmon;
    private final Path runcRoot;
    private final Path exitDir;
    private final Path socketDir;
    private final LinuxSyscalls syscalls;

    /** Runc's view of one container. */
    public record RuncState(String id, String status, int pid) {
    }

    public RuncProcessDriver(String runc, String conmon, Path runcRoot, Path exitDir, Path socketDir, LinuxSyscalls syscalls) {
        this.runc = runc;
        this.conmon = conmon;
        this.runcRoot = runcRoot;
        this.exitDir = exitDir;
        this.socketDir = socketDir;
        this.syscalls = syscalls;
        try {
            Files.createDirectories(runcRoot);
            Files.createDirectories(exitDir);
            Files.createDirectories(socketDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare runtime directories under " + runcRoot.getParent(), e);
        }
    }

    public Path exitDir() {
        return exitDir;
    }

    /**
     * Starts conmon, which runs {@code runc create}; returns once the container's process exists
     * (waiting in runc's "created" state) with its host pid.
     */
    public int create(String id, String name, Path bundle, Path containerDir, Path logFile, long logMaxBytes) {
        Path pidFile = containerDir.resolve("pidfile");
        Path conmonPidFile = containerDir.resolve("conmon.pid");
        Path runcLog = containerDir.resolve("runc.log");
        try {
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(exitDir.resolve(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(conmon, "--api-version", "1", "--cid", id, "--cuuid", id, "--name", name,
                "--runtime", runc, "--runtime-arg", "--root=" + runcRoot, "--runtime-arg", "--log=" + runcLog,
                "--runtime-arg", "--log-format=json", "--bundle", bundle.toString(), "--log-path", "k8s-file:" + logFile,
                "--log-size-max", Long.toString(logMaxBytes), "--exit-dir", exitDir.toString(), "-p", pidFile.toString(),
                "--conmon-pidfile", conmonPidFile.toString(), "--socket-dir-path", socketDir.toString(), "--syslog=false",
                "--no-new-keyring");
        CommandRunner.Result started = CommandRunner.run(command, COMMAND_TIMEOUT);
        if (!started.ok()) {
            throw failure("create " + id + ": conmon: " + started.reason(), runcLog);
        }
        // conmon has daemonized; runc create may still be running. Wait for the container's pid file.
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalInt pid = readNumber(pidFile);
            if (pid.isPresent()) {
                return pid.getAsInt();
            }
            OptionalInt conmonPid = readNumber(conmonPidFile);
            boolean conmonGone = conmonPid.isPresent() && ProcessHandle.of(conmonPid.getAsInt()).map(p -> !p.isAlive()).orElse(true);
            if (conmonGone && readNumber(pidFile).isEmpty()) {
                // conmon gave up: runc create failed, and says why in its log
                throw failure("create " + id, runcLog);
            }
            sleep(2);
        }
        throw failure("create " + id + ": runc did not create the container within " + COMMAND_TIMEOUT.toSeconds() + " s", runcLog);
    }

    /**
     * Starts a created container whose first process has host pid {@code pid}. This does what
     * {@code runc start} does without running runc once more (a Go process costs ~15 ms): runc's init waits
     * to open the {@code exec.fifo} in runc's state directory for writing; opening and reading it lets
     * the container's process run, and with the fifo removed runc reports the container running. When the
     * fifo is not there, or the init is gone, {@code runc start} itself does it or says what is wrong.
     */
    public void start(String id, int pid) {
        Path fifo = runcRoot.resolve(id).resolve("exec.fifo");
        if (pid <= 0 || !Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !startThrough(fifo, pid)) {
            runc("start " + id, List.of("start", id));
        }
    }

    /** Reads the exec fifo as {@code runc start} does; false (the fifo left as it was) when the init is not there to be started. */
    private boolean startThrough(Path fifo, int pid) {
        // opening a fifo for reading blocks until its writer, runc's init, opens it: so on a thread that is waited for
        java.util.concurrent.Future<byte[]> read = CommandRunner.THREADS.submit(() -> Files.readAllBytes(fifo));
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (true) {
            try {
                return started(fifo, read.get(100, java.util.concurrent.TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.TimeoutException notYet) {
                if (!read.isDone() && (!alive(pid) || System.nanoTime() > deadline)) {
                    // nobody will open the other end: open (and close) it here, so that the read ends, empty
                    try {
                        java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE).close();
                        return started(fifo, read.get(10, java.util.concurrent.TimeUnit.SECONDS));
                    } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        read.cancel(true);
                        return false;
                    } catch (InterruptedException e) {
                        read.cancel(true);
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            } catch (java.util.concurrent.ExecutionException e) {
                return false; // no fifo to read after all (started meanwhile?): runc says
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** After the fifo was read: the init said go (and runc is told, by the fifo's removal), or it closed it without a word. */
    private static boolean started(Path fifo, byte[] written) {
        if (written.length == 0) {
            return false; // gone: runc start says so
        }
        try {
            Files.delete(fifo);
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "start: the process runs, but runc would not know: " + e, e);
        }
        return true;
    }

    /** Whether the process exists and is not a zombie ({@code /proc/PID/stat}'s state). */
    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int state = stat.lastIndexOf(')') + 2;
            return state < stat.length() && stat.charAt(state) != 'Z' && stat.charAt(state) != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public void kill(String id, String signal, boolean all) {
        List<String> args = new ArrayList<>(List.of("kill"));
        if (all) {
            args.add("--all");
        }
        args.add(id);
        args.add(signal);
        runc("kill " + id, args);
    }

    /**
     * SIGKILL to a container's first process without running runc (~15 ms a Go process): the process is its pid
     * namespace's init, so the kernel ends every process of the container with it. Sent only while that process is
     * still the child of the container's conmon (checked through a pidfd, so a reused pid is never signalled); false,
     * nothing sent, otherwise (exited, conmon gone, a kernel without pidfds): {@link #kill} then does it or says why not.
     */
    public boolean killInit(int pid, Path containerDir) {
        OptionalInt conmonPid = readNumber(containerDir.resolve("conmon.pid"));
        if (pid <= 1 || conmonPid.isEmpty()) {
            return false;
        }
        try {
            return syscalls.killChild(pid, conmonPid.getAsInt(), 9);
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * Deletes runc's state (and the container cgroup runc made); with {@code force}, kills first. No-op if runc does not know
     * it: runc keeps a container's state in {@code <root>/<id>}, so without that directory no runc runs at all.
     */
    public void delete(String id, boolean force) {
        if (!Files.isDirectory(runcRoot.resolve(id), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        CommandRunner.Result result = CommandRunner.run(command(force ? List.of("delete", "--force", id) : List.of("delete", id)),
                COMMAND_TIMEOUT);
        if (!result.ok() && state(id).isPresent()) { // a state directory runc does not know as a container is nothing to delete
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "delete " + id + ": runc: " + cleanRuncMessage(result.reason()));
        }
    }

    public Optional<RuncState> state(String id) {
        CommandRunner.Result result = CommandRunner.run(command(List.of("state", id)), COMMAND_TIMEOUT);
        if (!result.ok()) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(result.stdout());
        return Optional.of(new RuncState(node.get("id").asString(), node.get("status").asString(), node.path("pid").asInt(0)));
    }

    public List<RuncState> list() {
        CommandRunner.Result result = CommandRunner.run(command(List.of("list", "--format", "json")), COMMAND_TIMEOUT);
        if (!result.ok()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "runc list: " + result.reason());
        }
        List<RuncState> states = new ArrayList<>();
        JsonNode array = result.stdout().isBlank() ? null : JSON.readTree(result.stdout());
        if (array != null && array.isArray()) {
            array.forEach(node -> states.add(new RuncState(node.get("id").asString(), node.get("status").asString(),
                    node.path("pid").asInt(0))));
        }
        return states;
    }

    /** Reads the exit code conmon wrote for a container, if it has exited. */
    public OptionalInt exitCode(String id) {
        return readNumber(exitDir.resolve(id));
    }

    /**
     * Runs a process inside a running container without a terminal, killing it at the spec's timeout,
     * or as soon as it has printed more than {@link ExecResult#MAX_OUTPUT_BYTES} on stdout or stderr
     * (the result is then {@code truncated}). Like {@code docker exec}, it runs as the container's
     * process does: {@code runc exec} takes the user, additional gids and environment ({@code HOME}
     * included) from the bundle's {@code config.json}, and the spec's variables come on top. runc
     * makes the process the leader of a session of its own, so the kill takes its whole process
     * group: children it started (a shell's) go with it.
     */
    public ExecResult exec(String id, ExecSpec spec, Path containerDir) {
        Path pidFile = containerDir.resolve("exec-" + System.nanoTime() + ".pid");
        List<String> args = new ArrayList<>(List.of("exec", "--pid-file", pidFile.toString()));
        if (spec.workingDir() != null) {
            args.add("--cwd");
            args.add(spec.workingDir());
        }
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            args.add("--env");
            args.add(e.getKey() + "=" + e.getValue());
        }
        args.add(id);
        args.addAll(spec.args());
        try {
            CommandRunner.Result result = CommandRunner.run(command(args), spec.timeout(),
                    () -> readNumber(pidFile).ifPresent(this::killGroup),
                    ExecResult.MAX_OUTPUT_BYTES, () -> killWhenStarted(pidFile));
            if (!result.timedOut() && !result.truncated() && result.exitCode() != 0 && result.stderr().contains("level=error")) {
                throw new RuntimeFailure(RuntimeFailure.Kind.INVALID_ARGUMENT, "exec in " + id + ": " + result.reason()
                        .replaceAll(".*msg=\"?", "").replaceAll("\"$", ""));
            }
            return new ExecResult(result.timedOut() ? 137 : result.exitCode(), result.stdout(), result.stderr(), result.timedOut(),
                    result.truncated());
        } finally {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a leftover pid file is harmless
            }
        }
    }

    /**
     * Starts {@code args} in a running container on a new pseudo-terminal ({@code runc exec -t -d
     * --console-socket}); runc hands the terminal's master over the socket. It runs as the
     * container's process does, as {@link #exec} does.
     */
    public TerminalSession terminal(String id, List<String> args, int cols, int rows, Path containerDir) {
        String name = Long.toHexString(System.nanoTime());
        Path pidFile = containerDir.resolve("term-" + name + ".pid");
        List<String> command = new ArrayList<>(List.of("exec", "-t", "-d", "--console-socket", socketDir.resolve("t-" + name).toString(),
                "--pid-file", pidFile.toString(), "--env", "TERM=xterm-256color", id));
        command.addAll(args);
        ConsoleSocket.Terminal terminal;
        CommandRunner.Result result;
        try (ConsoleSocket socket = ConsoleSocket.listen(socketDir.resolve("t-" + name))) {
            java.util.concurrent.CompletableFuture<CommandRunner.Result> runcExec = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> CommandRunner.run(command(command), COMMAND_TIMEOUT), CommandRunner.THREADS);
            runcExec.whenComplete((r, e) -> {
                if (r == null || !r.ok()) {
                    socket.abort();
                }
            });
            try {
                terminal = socket.receive();
            } catch (SyscallException e) {
                result = runcExec.join();
                throw new RuntimeFailure(RuntimeFailure.Kind.INVALID_ARGUMENT, "terminal in " + id + ": "
                        + cleanRuncMessage(result.reason()));
            }
            result = runcExec.join();
        }
        if (!result.ok()) {
            terminal.close();
            throw new RuntimeFailure(RuntimeFailure.Kind.INVALID_ARGUMENT, "terminal in " + id + ": " + cleanRuncMessage(result.reason()));
        }
        OptionalInt pid = readNumber(pidFile);
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // harmless leftover
        }
        try {
            terminal.resize(cols, rows);
        } catch (RuntimeException e) {
            terminal.close();
            pid.ifPresent(this::hangUp);
            throw e;
        }
        return new TerminalSession() {
            @Override
            public java.io.InputStream output() {
                return terminal.input();
            }

            @Override
            public java.io.OutputStream input() {
                return terminal.output();
            }

            @Override
            public void resize(int newCols, int newRows) {
                terminal.resize(newCols, newRows);
            }

            @Override
            public void close() {
                terminal.close(); // the process gets SIGHUP from its terminal
                pid.ifPresent(RuncProcessDriver.this::hangUp);
            }
        };
    }

    private void hangUp(int pid) {
        if (ProcessHandle.of(pid).isPresent()) {
            try {
                syscalls.kill(pid, 1);
            } catch (SyscallException ignored) {
                // gone meanwhile
            }
        }
    }

    /**
     * Kills an exec'd process that printed too much. runc writes its pid file only once the process
     * runs, which may be after its first megabyte: wait for it a little (the process blocks on its
     * full pipe meanwhile, since its output is not read while this runs).
     */
    private void killWhenStarted(Path pidFile) {
        for (int i = 0; i < 400; i++) {
            OptionalInt pid = readNumber(pidFile);
            if (pid.isPresent()) {
                killGroup(pid.getAsInt());
                return;
            }
            sleep(5);
        }
    }

    /** SIGKILL to the process group an exec'd process leads (and to the process, should it have left it). */
    private void killGroup(int pid) {
        if (pid <= 1) {
            return; // never kill(-1) or kill(0): a pid file that does not hold a process's pid
        }
        killQuietly(-pid);
        killQuietly(pid);
    }

    private void killQuietly(int pid) {
        try {
            syscalls.kill(pid, 9);
        } catch (SyscallException ignored) {
            // already gone
        }
    }

    private void runc(String what, List<String> args) {
        CommandRunner.Result result = CommandRunner.run(command(args), COMMAND_TIMEOUT);
        if (!result.ok()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, what + ": runc: " + cleanRuncMessage(result.reason()));
        }
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(runc, "--root", runcRoot.toString()));
        command.addAll(args);
        return command;
    }

    private static RuntimeFailure failure(String what, Path runcLog) {
        String reason = "no reason given";
        try {
            if (Files.exists(runcLog)) {
                List<String> lines = Files.readAllLines(runcLog);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    JsonNode line = JSON.readTree(lines.get(i));
                    if ("error".equals(line.path("level").asString())) {
                        reason = line.path("msg").asString();
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            reason = "runc log unreadable: " + e.getMessage();
        }
        return new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, what + ": runc: " + reason);
    }

    private static String cleanRuncMessage(String line) {
        return line.replaceFirst("^time=\"[^\"]*\" level=\\w+ msg=\"?", "").replaceFirst("\"$", "");
    }

    /** A file holding one decimal number (pid files, exit files). */
    static OptionalInt readNumber(Path file) {
        try {
            String text = Files.exists(file) ? Files.readString(file).strip() : "";
            return text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
