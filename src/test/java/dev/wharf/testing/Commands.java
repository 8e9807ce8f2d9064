package dev.wharf.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host tools (umoci, skopeo) for test fixtures, failing with their output when they fail. */
public final class Commands {

    private Commands() {
    }

    /** Whether {@code command} is an executable on the PATH. */
    public static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} to completion, killing it after two minutes, and returns its output. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("command-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(new File("/dev/null")).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish: " + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                        + Files.readString(output));
            }
            return Files.readString(output);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
