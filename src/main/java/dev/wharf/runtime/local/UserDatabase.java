package dev.wharf.runtime.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entries of an image's {@code /etc/passwd} and {@code /etc/group}, in file order. Lines that
 * libc would not match are skipped: blank lines, {@code #} comments, NIS {@code +}/{@code -}
 * lines, and lines without a name or with an id that is not a number from 0 to 2^31-1.
 */
record UserDatabase(List<User> users, List<Group> groups) {

    /** {@code name:password:uid:gid:gecos:home:shell}; {@code home} is empty when the line has none. */
    record User(String name, int uid, int gid, String home) {
    }

    /** {@code name:password:gid:member,member…}. */
    record Group(String name, int gid, List<String> members) {
    }

    static final UserDatabase EMPTY = new UserDatabase(List.of(), List.of());

    UserDatabase {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    static UserDatabase parse(String passwd, String group) {
        return new UserDatabase(users(passwd), groups(group));
    }

    static List<User> users(String passwd) {
        List<User> users = new ArrayList<>();
        for (String[] fields : lines(passwd, 4)) {
            int uid = id(fields[2]);
            int gid = id(fields[3]);
            if (uid >= 0 && gid >= 0) {
                users.add(new User(fields[0], uid, gid, fields.length > 5 ? fields[5] : ""));
            }
        }
        return users;
    }

    static List<Group> groups(String group) {
        List<Group> groups = new ArrayList<>();
        for (String[] fields : lines(group, 3)) {
            int gid = id(fields[2]);
            if (gid >= 0) {
                List<String> members = fields.length > 3 ? Arrays.stream(fields[3].split(",")).map(String::strip)
                        .filter(m -> !m.isEmpty()).toList() : List.of();
                groups.add(new Group(fields[0], gid, members));
            }
        }
        return groups;
    }

    /** The colon-separated fields of each line that has a name and at least {@code fields} fields. */
    private static List<String[]> lines(String text, int fields) {
        List<String[]> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                continue;
            }
            String[] parts = line.split(":", -1);
            if (parts.length >= fields && !parts[0].isEmpty()) {
                lines.add(parts);
            }
        }
        return lines;
    }

    /** A decimal id from 0 to 2^31-1, or -1. */
    static int id(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long value = Long.parseLong(text);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }
}
