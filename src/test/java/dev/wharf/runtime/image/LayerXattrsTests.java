package dev.wharf.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.IdMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The rules for a layer's extended attributes, byte by byte: what is kept, rewritten or dropped. */
class LayerXattrsTests {

    static final IdMapping TEAM_3 = IdMapping.forTeam(3, 1_000_000);
    /** {@code cap_dac_read_search+ep} as {@code setcap} writes it outside a user namespace (v2, effective). */
    static final byte[] V2_DAC_READ_SEARCH = capability(0x0200_0001, 1 << 2, null);

    /** A {@code vfs_cap_data}: magic, permitted and inheritable (low 32 capabilities), high words zero, root id (v3). */
    static byte[] capability(int magic, int permitted, Integer rootId) {
        ByteBuffer value = ByteBuffer.allocate(rootId == null ? 20 : 24).order(ByteOrder.LITTLE_ENDIAN);
        value.putInt(magic).putInt(permitted).putInt(0).putInt(0).putInt(0);
        if (rootId != null) {
            value.putInt(rootId);
        }
        return value.array();
    }

    /** A value as a PAX header carries it; the tests' values are ASCII bytes, which UTF-8 keeps as they are. */
    static String latin1(byte[] value) {
        for (byte b : value) {
            assertThat(b).as("a test capability stays within ASCII").isBetween((byte) 0, (byte) 0x7f);
        }
        return new String(value, StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] value) {
        return HexFormat.of().formatHex(value);
    }

    @Test
    void aV2CapabilityBecomesV3WithTheTeamsRootAsRootId() {
        byte[] v3 = LayerXattrs.onDisk("security.capability", V2_DAC_READ_SEARCH, TEAM_3, true).orElseThrow();

        // what setcap writes inside the team's user namespace, as the kernel stores it: revision 3, effective, rootid 1131072
        assertThat(hex(v3)).isEqualTo("01000003" + "04000000" + "00000000" + "00000000" + "00000000" + "40421100");
        assertThat(ByteBuffer.wrap(v3).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo(1_000_000 + 2 * 65536);
    }

    @Test
    void aCapabilityWithoutTheEffectiveFlagKeepsItsAbsence() {
        byte[] v3 = LayerXattrs.onDisk("security.capability", capability(0x0200_0000, 1 << 13, null), TEAM_3, true).orElseThrow();

        assertThat(hex(v3)).startsWith("00000003" + "00200000");
    }

    @Test
    void aV3CapabilityIsBoundToTheHostIdOfItsRootInsideTheTeam() {
        byte[] ofRoot = LayerXattrs.onDisk("security.capability", capability(0x0300_0001, 4, 0), TEAM_3, true).orElseThrow();
        byte[] ofUser = LayerXattrs.onDisk("security.capability", capability(0x0300_0001, 4, 1000), TEAM_3, true).orElseThrow();

        assertThat(ByteBuffer.wrap(ofRoot).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo((int) TEAM_3.toHost(0));
        assertThat(ByteBuffer.wrap(ofUser).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo((int) TEAM_3.toHost(1000));
    }

    @Test
    void capabilitiesThatCannotBeBoundToTheTeamAreDropped() {
        assertThat(LayerXattrs.onDisk("security.capability", capability(0x0300_0001, 4, 65536), TEAM_3, true))
                .as("a root id outside the team's ids").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", capability(0x0300_0001, 4, -1), TEAM_3, true))
                .as("root id 2^32-1").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", new byte[] {1, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0}, TEAM_3, true))
                .as("v1").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", capability(0x0200_0001, 4, 0), TEAM_3, true))
                .as("v2 magic with v3 length").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", capability(0x0300_0001, 4, null), TEAM_3, true))
                .as("v3 magic with v2 length").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", capability(0x0200_0003, 4, null), TEAM_3, true))
                .as("unknown flags").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", new byte[] {1, 0}, TEAM_3, true)).as("truncated").isEmpty();
        assertThat(LayerXattrs.onDisk("security.capability", V2_DAC_READ_SEARCH, TEAM_3, false)).as("not a regular file").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"security.selinux", "security.ima", "security.evm", "security.apparmor", "trusted.overlay.opaque",
            "trusted.overlay.redirect", "trusted.anything", "system.posix_acl_access", "system.posix_acl_default", "unknown.ns"})
    void everyOtherNamespaceIsDropped(String name) {
        assertThat(LayerXattrs.onDisk(name, "y".getBytes(StandardCharsets.UTF_8), TEAM_3, true)).isEmpty();
    }

    @Test
    void userAttributesAreKeptAsGiven() {
        byte[] value = {0, 1, 2, 'x'};

        assertThat(LayerXattrs.onDisk("user.origin", value, TEAM_3, true)).hasValue(value);
        assertThat(LayerXattrs.onDisk("user.origin", value, TEAM_3, false)).hasValue(value);
    }
}
