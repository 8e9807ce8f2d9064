package dev.wharf.runtime.image;

import dev.wharf.runtime.api.IdMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Which of a layer's extended attributes reach the disk, and in what form. The unpacker runs as
 * host root, so an attribute it writes means what it would mean for a file of the host's root:
 * <ul>
 * <li>{@code user.*} is kept as given: it grants nothing.</li>
 * <li>{@code security.capability} on a regular file is written in the namespaced (v3) form
 *     whose root id is the host id of the team's root, as the kernel itself stores a capability
 *     set by root inside the team's user namespace. The capabilities then take effect only for
 *     that root (inside the team's containers), never for a process of the host. A v2 value,
 *     and a v3 value whose root id lies in the team's mapping, is rewritten so; anything else
 *     (v1, a malformed value, a root id outside the mapping, a capability on a non-file) is
 *     dropped.</li>
 * <li>Every other attribute is dropped: {@code security.*} (SELinux labels, IMA/EVM
 *     signatures), {@code trusted.*} (overlayfs reads its own whiteouts and redirects from
 *     there; only the unpacker's own opaque marker is set), {@code system.*} (POSIX ACLs would
 *     name host ids, unshifted).</li>
 * </ul>
 * The layout is the kernel's {@code struct vfs_ns_cap_data} ({@code include/uapi/linux/capability.h}),
 * little-endian: {@code magic_etc}, then permitted and inheritable for the low and the high 32
 * capabilities, then (v3 only) {@code rootid}.
 */
final class LayerXattrs {

    static final String CAPABILITY = "security.capability";
    static final int REVISION_MASK = 0xFF00_0000;
    static final int REVISION_2 = 0x0200_0000;
    static final int REVISION_3 = 0x0300_0000;
    static final int FLAGS_EFFECTIVE = 0x0000_0001;
    static final int SIZE_2 = 20;
    static final int SIZE_3 = 24;

    private LayerXattrs() {
    }

    /**
     * The value to write for the attribute {@code name} of a layer entry, or empty when it is
     * left out.
     *
     * @param regularFile whether the entry is a regular file (the only kind a capability may sit on)
     */
    static Optional<byte[]> onDisk(String name, byte[] value, IdMapping ids, boolean regularFile) {
        if (name.startsWith("user.")) {
            return Optional.of(value);
        }
        if (name.equals(CAPABILITY) && regularFile) {
            return namespacedCapability(value, ids);
        }
        return Optional.empty();
    }

    /** A v2 or v3 capability as v3 with the team's root as its root id; empty for anything else. */
    static Optional<byte[]> namespacedCapability(byte[] value, IdMapping ids) {
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (value.length < 4) {
            return Optional.empty();
        }
        int magic = in.getInt(0);
        if ((magic & ~(REVISION_MASK | FLAGS_EFFECTIVE)) != 0) {
            return Optional.empty();
        }
        long rootId;
        if ((magic & REVISION_MASK) == REVISION_2 && value.length == SIZE_2) {
            rootId = 0;
        } else if ((magic & REVISION_MASK) == REVISION_3 && value.length == SIZE_3) {
            rootId = Integer.toUnsignedLong(in.getInt(SIZE_2));
        } else {
            return Optional.empty();
        }
        if (rootId >= ids.size()) {
            return Optional.empty();
        }
        ByteBuffer out = ByteBuffer.allocate(SIZE_3).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(REVISION_3 | (magic & FLAGS_EFFECTIVE));
        out.put(value, 4, SIZE_2 - 4);
        out.putInt((int) ids.toHost(rootId));
        return Optional.of(out.array());
    }
}
