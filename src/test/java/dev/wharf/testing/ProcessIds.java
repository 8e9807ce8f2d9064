package dev.wharf.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A process's ids as the host's kernel shows them in {@code /proc/<pid>}. */
public final class ProcessIds {

    private ProcessIds() {
    }

    /** The numbers of a {@code /proc/<pid>/status} line: {@code Uid} and {@code Gid} (real, effective, saved, fs) or {@code Groups}. */
    public static List<Long> status(int pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream().filter(l -> l.startsWith(field + ":"))
                .findFirst().map(l -> Arrays.stream(l.substring(field.length() + 1).strip().split("\\s+")).filter(s -> !s.isEmpty())
                        .map(Long::parseLong).toList())
                .orElseThrow(() -> new AssertionError("no " + field + " line in /proc/" + pid + "/status"));
    }

    /** The host id that the process's uid 0 maps to: the one line of its {@code uid_map} ({@code 0 <host> 65536}). */
    public static long hostBase(int pid) throws IOException {
        String[] map = Files.readString(Path.of("/proc", String.valueOf(pid), "uid_map")).strip().split("\\s+");
        if (map.length != 3 || !map[0].equals("0") || !map[2].equals("65536")) {
            throw new AssertionError("uid_map of " + pid + " is not one team's 65536 ids: " + String.join(" ", map));
        }
        return Long.parseLong(map[1]);
    }
}
