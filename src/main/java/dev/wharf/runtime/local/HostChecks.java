package dev.wharf.runtime.local;

import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.process.CommandRunner;
import dev.wharf.runtime.process.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Start-up checks: one readable line for each thing that keeps this host from running containers. */
final class HostChecks {

    private HostChecks() {
    }

    static List<String> problems(LinuxSyscalls syscalls, String runc, String conmon, CgroupManager cgroups) {
        List<String> problems = new ArrayList<>();
        if (syscalls.geteuid() != 0) {
            problems.add("not running as root: the runtime needs root for cgroups, mounts and runc (start Wharf with sudo)");
            return problems;
        }
        Optional<Path> runcPath = Executables.find(runc);
        if (runcPath.isEmpty()) {
            problems.add("runc not found (" + runc + "): install the runc package");
        } else {
            CommandRunner.Result version = CommandRunner.run(List.of(runcPath.get().toString(), "--version"), Duration.ofSeconds(10));
            RuncVersion.problem(runcPath.get().toString(), version.stdout()).ifPresent(problems::add);
        }
        if (Executables.find(conmon).isEmpty()) {
            problems.add("conmon not found (" + conmon + "): install the conmon package");
        }
        if (Executables.find("mkfs.ext4").isEmpty()) {
            problems.add("mkfs.ext4 not found: install the e2fsprogs package (each volume is an ext4 filesystem of its size)");
        }
        if (Executables.find("mount").isEmpty()) {
            problems.add("mount not found: install the mount package (volumes are loop-mounted)");
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            problems.add("loop devices are not available (/dev/loop-control is missing): load the loop module with 'modprobe loop'");
        }
        if (!fileContains(Path.of("/proc/filesystems"), "overlay")) {
            problems.add("overlayfs is not available: load it with 'modprobe overlay'");
        }
        if (readLong(Path.of("/proc/sys/user/max_user_namespaces")) == 0) {
            problems.add("user namespaces are disabled: set the sysctl user.max_user_namespaces above 0");
        }
        problems.addAll(cgroups.problems());
        return problems;
    }

    /**
     * The directories above the data directory that a team's mapped ids cannot pass through
     * (runc resolves a container's root filesystem as the container's root, an unprivileged host
     * id that owns nothing there): one line naming the first such directory and two ways out.
     * Wharf never changes the modes of directories it does not own.
     */
    static List<String> dataDirProblems(Path dataDir) {
        for (Path dir = dataDir.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
            int mode;
            try {
                mode = (Integer) Files.getAttribute(dir, "unix:mode");
            } catch (IOException | UnsupportedOperationException e) {
                continue; // not there yet: created by Wharf below an existing directory, checked above
            }
            if ((mode & 0001) == 0) {
                return List.of(dir + " is not traversable by container users (mode " + String.format("%04o", mode & 07777)
                        + "), so containers cannot start under " + dataDir + ": choose a data directory under /var/lib or run"
                        + " chmod o+x " + dir);
            }
        }
        return List.of();
    }

    /** The host's memory in bytes ({@code MemTotal}), or 0 when unknown. */
    static long memoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    private static boolean fileContains(Path file, String word) {
        try {
            return Files.readString(file).contains(word);
        } catch (IOException e) {
            return false;
        }
    }

    private static long readLong(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
