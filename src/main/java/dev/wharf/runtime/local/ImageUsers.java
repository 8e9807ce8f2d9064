package dev.wharf.runtime.local;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.bundle.ProcessUser;
import dev.wharf.runtime.fs.RootPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A spec's {@code user[:group]} resolved as Docker resolves it (moby's {@code getUser} over
 * {@code user.GetExecUser}), in the image's own {@code /etc/passwd} and {@code /etc/group}: read
 * inside the container's root filesystem ({@link RootPaths}), never the host's.
 * <ul>
 * <li>A number is a uid even where a user has that number as a name; a uid with an entry takes
 *     the entry's gid and home, one without runs as is with gid 0 and no home.</li>
 * <li>A name must have an entry; an unknown one is a 400 naming the user and the image.</li>
 * <li>Without a group, the user's supplementary groups (the groups that list the user's name
 *     as a member) are added; with a group (a name that {@code /etc/group} must have, or a
 *     number), the process has that group only, as {@code docker run --user u:g} and the OCI
 *     image spec say.</li>
 * <li>The primary gid leads the additional gids, as Docker has it since 20.10.18, so a
 *     process that changes its gid cannot shed it; no gid is listed twice.</li>
 * </ul>
 * Missing files count as empty. A file that is not a regular one (a FIFO, a device, a directory),
 * larger than {@link #MAX_FILE_BYTES}, or a link that loops is a 400, never a hang or a host
 * file; ids past the team's mapping (65535) are a 400 too, rather than a failing {@code runc create}.
 */
final class ImageUsers {

    static final int MAX_FILE_BYTES = 1 << 20;

    private ImageUsers() {
    }

    /**
     * @param rootfs the container's root filesystem, not yet running
     * @param user   the spec's {@code user[:group]}
     * @param image  how messages name the image ({@code image sha256:…})
     */
    static ProcessUser resolve(Path rootfs, String user, String image) {
        return lookup(UserDatabase.parse(read(rootfs, "/etc/passwd", image), read(rootfs, "/etc/group", image)), user, image);
    }

    static ProcessUser lookup(UserDatabase db, String spec, String image) {
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        int uidAsked = UserDatabase.id(userPart);
        Optional<UserDatabase.User> entry = db.users().stream()
                .filter(u -> uidAsked >= 0 ? u.uid() == uidAsked : u.name().equals(userPart)).findFirst();
        if (entry.isEmpty() && uidAsked < 0) {
            throw RuntimeFailure.invalid(image + " has no user \"" + userPart + "\" in its /etc/passwd");
        }
        int uid = entry.map(UserDatabase.User::uid).orElse(uidAsked);
        int gid = entry.map(UserDatabase.User::gid).orElse(0);
        String home = entry.map(UserDatabase.User::home).filter(h -> !h.isEmpty()).orElse(null);
        List<Integer> supplementary = new ArrayList<>();
        if (groupPart != null) {
            gid = group(db, groupPart, image);
        } else {
            entry.ifPresent(e -> db.groups().stream().filter(g -> g.members().contains(e.name()))
                    .forEach(g -> supplementary.add(g.gid())));
        }
        Set<Integer> additional = new LinkedHashSet<>();
        additional.add(gid);
        additional.addAll(supplementary);
        within(uid, "uid", spec, image);
        for (int id : additional) {
            within(id, "gid", spec, image);
        }
        return new ProcessUser(uid, gid, List.copyOf(additional), home);
    }

    private static int group(UserDatabase db, String groupPart, String image) {
        int gidAsked = UserDatabase.id(groupPart);
        return db.groups().stream().filter(g -> gidAsked >= 0 ? g.gid() == gidAsked : g.name().equals(groupPart)).findFirst()
                .map(UserDatabase.Group::gid).orElseGet(() -> {
                    if (gidAsked < 0) {
                        throw RuntimeFailure.invalid(image + " has no group \"" + groupPart + "\" in its /etc/group");
                    }
                    return gidAsked;
                });
    }

    private static void within(int id, String kind, String spec, String image) {
        if (id >= IdMapping.TEAM_SIZE) {
            throw RuntimeFailure.invalid("user \"" + spec + "\" of " + image + " has " + kind + " " + id + "; a container's ids are 0 to "
                    + (IdMapping.TEAM_SIZE - 1));
        }
    }

    private static String read(Path rootfs, String file, String image) {
        try {
            return RootPaths.readRegularFile(rootfs, file, MAX_FILE_BYTES).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        } catch (FileSystemException e) {
            throw RuntimeFailure.invalid(e.getFile() + " of " + image + " " + e.getReason());
        } catch (IOException e) {
            throw RuntimeFailure.invalid(file + " of " + image + " cannot be read: " + e.getMessage());
        }
    }
}
