package dev.wharf.runtime.network;

import dev.wharf.runtime.process.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a host command ({@code iptables}, {@code ip}) to completion. {@link #SYSTEM} finds the
 * binary on PATH or in the sbin directories a service's PATH may lack; a unit test passes one that
 * records the commands instead.
 */
@FunctionalInterface
interface HostCommands {

    HostCommands SYSTEM = command -> {
        List<String> resolved = new ArrayList<>(command);
        onPath(command.get(0)).ifPresent(binary -> resolved.set(0, binary.toString()));
        return CommandRunner.run(resolved, Duration.ofSeconds(30));
    };

    CommandRunner.Result run(List<String> command);

    /** A binary on PATH or in the sbin directories a service's PATH may lack. */
    static Optional<Path> onPath(String name) {
        return dev.wharf.runtime.process.Executables.find(name);
    }

    static String searchPath() {
        return dev.wharf.runtime.process.Executables.searchPath();
    }
}
