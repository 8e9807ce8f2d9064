package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.bundle.ProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code user[:group]} resolved as Docker resolves it, in passwd and group files as images carry
 * them (and as they are sometimes broken), then in a root filesystem on disk.
 */
class ImageUsersTests {

    static final String IMAGE = "image sha256:" + "ab".repeat(32);

    static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            # a comment, then junk a libc would skip
            broken line
            nouid:x::100:no uid:/nowhere:/bin/sh
            :x:5:5:no name:/nowhere:/bin/sh
            huge:x:99999999999:1:too big:/nowhere:/bin/sh
            +nis
            app:x:1000:1000:app:/home/app:/bin/sh
            1234:x:5:5:a name made of digits:/named:/bin/sh
            app:x:1001:1001:a second app, never matched:/other:/bin/sh
            nohome:x:1002:1002
            far:x:70000:1000::/far:/bin/sh
            """;
    static final String GROUP = """
            root:x:0:
            app:x:1000:
            extra:x:2000:app, other
            # staff lists app too
            staff:x:50:other,app
            self:x:1000:app
            nogid:x::app
            far:x:80000:app
            4321:x:7:
            """;

    static ProcessUser lookup(String user) {
        return ImageUsers.lookup(UserDatabase.parse(PASSWD, GROUP.replace("far:x:80000:app\n", "")), user, IMAGE);
    }

    @Test
    void malformedLinesCommentsAndNisEntriesAreSkipped() {
        UserDatabase db = UserDatabase.parse(PASSWD, GROUP);
        assertThat(db.users()).extracting(UserDatabase.User::name).containsExactly("root", "app", "1234", "app", "nohome", "far");
        assertThat(db.users().get(1)).isEqualTo(new UserDatabase.User("app", 1000, 1000, "/home/app"));
        assertThat(db.users().get(4)).isEqualTo(new UserDatabase.User("nohome", 1002, 1002, ""));
        assertThat(db.groups()).extracting(UserDatabase.Group::name)
                .containsExactly("root", "app", "extra", "staff", "self", "far", "4321");
        assertThat(db.groups().get(2).members()).containsExactly("app", "other");
        assertThat(UserDatabase.parse("", "").users()).isEmpty();
        assertThat(UserDatabase.parse("app:x:1000:1000:app:/home/app:/bin/sh\r\n", "").users().get(0).home()).isEqualTo("/home/app");
    }

    @Test
    void aNameTakesItsEntrysIdsHomeAndSupplementaryGroupsThePrimaryFirstAndOnce() {
        assertThat(lookup("app")).isEqualTo(new ProcessUser(1000, 1000, List.of(1000, 2000, 50), "/home/app"));
        assertThat(lookup("root")).isEqualTo(new ProcessUser(0, 0, List.of(0), "/root"));
        assertThat(lookup("nohome")).isEqualTo(new ProcessUser(1002, 1002, List.of(1002), null));
    }

    @Test
    void anExplicitGroupReplacesThePrimaryAndDropsTheSupplementaryGroupsAsDockerDoes() {
        assertThat(lookup("app:extra")).isEqualTo(new ProcessUser(1000, 2000, List.of(2000), "/home/app"));
        assertThat(lookup("1000:2000")).isEqualTo(new ProcessUser(1000, 2000, List.of(2000), "/home/app"));
        assertThat(lookup("app:3000")).as("a number needs no entry").isEqualTo(new ProcessUser(1000, 3000, List.of(3000), "/home/app"));
        assertThat(lookup("0:0")).isEqualTo(new ProcessUser(0, 0, List.of(0), "/root"));
    }

    @Test
    void aNumberIsAUidEvenWhereANameIsMadeOfDigits() {
        assertThat(lookup("1234")).as("no uid 1234; the user named 1234 is uid 5").isEqualTo(new ProcessUser(1234, 0, List.of(0), null));
        assertThat(lookup("5")).isEqualTo(new ProcessUser(5, 5, List.of(5), "/named"));
        assertThat(lookup("1000")).isEqualTo(new ProcessUser(1000, 1000, List.of(1000, 2000, 50), "/home/app"));
        assertThat(lookup("app:4321")).as("no gid 4321; the group named 4321 is gid 7").isEqualTo(
                new ProcessUser(1000, 4321, List.of(4321), "/home/app"));
        assertThat(lookup("4242:4242")).isEqualTo(new ProcessUser(4242, 4242, List.of(4242), null));
    }

    @Test
    void unknownNamesAndIdsPastTheTeamsMappingAreRefusedNamingTheUserAndTheImage() {
        assertThatThrownBy(() -> lookup("ghost")).isInstanceOf(RuntimeFailure.class)
                .hasMessage(IMAGE + " has no user \"ghost\" in its /etc/passwd")
                .extracting(e -> ((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> lookup("app:ghosts")).hasMessage(IMAGE + " has no group \"ghosts\" in its /etc/group");
        assertThatThrownBy(() -> lookup("far")).hasMessage("user \"far\" of " + IMAGE + " has uid 70000; a container's ids are 0 to 65535");
        assertThatThrownBy(() -> ImageUsers.lookup(UserDatabase.parse(PASSWD, GROUP), "app", IMAGE))
                .hasMessage("user \"app\" of " + IMAGE + " has gid 80000; a container's ids are 0 to 65535");
        assertThatThrownBy(() -> ImageUsers.lookup(UserDatabase.EMPTY, "app", IMAGE))
                .hasMessage(IMAGE + " has no user \"app\" in its /etc/passwd");
        assertThat(ImageUsers.lookup(UserDatabase.EMPTY, "0:0", IMAGE)).isEqualTo(new ProcessUser(0, 0, List.of(0), null));
    }

    @Test
    void theFilesAreReadInsideTheRootAndALinkOutOfItIsNeverFollowedToTheHost(@TempDir Path dir) throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("passwd"), PASSWD);
        Files.writeString(rootfs.resolve("group"), GROUP.replace("far:x:80000:app\n", ""));
        assertThat(ImageUsers.resolve(dir.resolve("rootfs"), "app", IMAGE)).isEqualTo(lookup("app"));

        Files.delete(rootfs.resolve("passwd"));
        Files.createSymbolicLink(rootfs.resolve("passwd"), Path.of("/etc/passwd")); // the host's, were it followed as the host does
        assertThatThrownBy(() -> ImageUsers.resolve(dir.resolve("rootfs"), "root", IMAGE)).hasMessage("/etc/passwd of " + IMAGE
                + " has too many levels of symbolic links (a loop: links lead only to paths inside the root)");

        Path hostOnly = Files.writeString(dir.resolve("host-passwd"), "app:x:4242:4242:host:/host:/bin/sh\n");
        Files.delete(rootfs.resolve("passwd"));
        Files.createSymbolicLink(rootfs.resolve("passwd"), hostOnly);
        assertThatThrownBy(() -> ImageUsers.resolve(dir.resolve("rootfs"), "app", IMAGE))
                .hasMessage(IMAGE + " has no user \"app\" in its /etc/passwd");

        Files.delete(rootfs.resolve("passwd"));
        Files.write(rootfs.resolve("passwd"), new byte[ImageUsers.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> ImageUsers.resolve(dir.resolve("rootfs"), "0", IMAGE))
                .hasMessage("/etc/passwd of " + IMAGE + " is larger than 1 MiB");
    }
}
