package dev.wharf.runtime.image;

/**
 * What {@link LayerUnpacker#unpack} found in a layer.
 *
 * @param diffId            {@code sha256:<hex>} of the uncompressed tar stream, as the image config's
 *                          {@code rootfs.diff_ids} lists it
 * @param uncompressedBytes length of the uncompressed tar stream
 * @param files             entries written into the snapshot: files, directories, links and whiteouts
 * @param skippedDevices    device nodes and fifos left out (useless inside a user namespace)
 * @param writtenBytes      data written into files, a sparse file's holes included
 * @param entries           what counted against the entry limit: every tar entry, and every directory
 *                          created for an entry whose parents the layer does not list
 */
public record UnpackResult(String diffId, long uncompressedBytes, long files, long skippedDevices, long writtenBytes,
        long entries) {
}
