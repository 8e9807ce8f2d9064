package dev.wharf.runtime.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Tars of one sparse file, written header byte by header byte as GNU tar writes them (the tar
 * library can read sparse entries but not write them): the file is {@code logicalSize} bytes long,
 * all a hole but for {@code tail} at its end, and the archive holds only {@code tail}.
 */
final class SparseTars {

    private static final int BLOCK = 512;

    private SparseTars() {
    }

    /** GNU's own format: type {@code 'S'}, the map and the real size in the old GNU header. */
    static byte[] gnu(String name, long logicalSize, String tail) {
        byte[] data = tail.getBytes(StandardCharsets.UTF_8);
        byte[] header = header(name, TarConstants.LF_GNUTYPE_SPARSE, data.length, true);
        number(header, 386, 12, logicalSize - data.length); // sparse[0].offset
        number(header, 398, 12, data.length); // sparse[0].numbytes
        number(header, 483, 12, logicalSize); // realsize
        checksum(header);
        return archive(header, padded(data));
    }

    /** PAX 0.0: the map as repeated {@code GNU.sparse.offset} and {@code GNU.sparse.numbytes} records. */
    static byte[] pax00(String name, long logicalSize, String tail) {
        byte[] data = tail.getBytes(StandardCharsets.UTF_8);
        Map<String, String> records = new LinkedHashMap<>();
        records.put("GNU.sparse.size", Long.toString(logicalSize));
        records.put("GNU.sparse.numblocks", "1");
        records.put("GNU.sparse.offset", Long.toString(logicalSize - data.length));
        records.put("GNU.sparse.numbytes", Integer.toString(data.length));
        return archive(pax(name, records), checksummed(header(name, TarConstants.LF_NORMAL, data.length, false)), padded(data));
    }

    /** PAX 0.1: the map in one {@code GNU.sparse.map} record. */
    static byte[] pax01(String name, long logicalSize, String tail) {
        return pax01Typed(name, TarConstants.LF_NORMAL, logicalSize, tail);
    }

    /** PAX 0.1 headers on an entry of any {@code type}. */
    static byte[] pax01Typed(String name, byte type, long logicalSize, String tail) {
        byte[] data = tail.getBytes(StandardCharsets.UTF_8);
        Map<String, String> records = new LinkedHashMap<>();
        records.put("GNU.sparse.size", Long.toString(logicalSize));
        records.put("GNU.sparse.numblocks", "1");
        records.put("GNU.sparse.name", name);
        records.put("GNU.sparse.map", (logicalSize - data.length) + "," + data.length);
        return archive(pax(name, records), checksummed(header("GNUSparseFile.1/" + name, type, data.length, false)),
                padded(data));
    }

    /** PAX 1.0: the map at the start of the entry's data, in decimal lines padded to a block. */
    static byte[] pax10(String name, long logicalSize, String tail) {
        byte[] data = tail.getBytes(StandardCharsets.UTF_8);
        Map<String, String> records = new LinkedHashMap<>();
        records.put("GNU.sparse.major", "1");
        records.put("GNU.sparse.minor", "0");
        records.put("GNU.sparse.name", name);
        records.put("GNU.sparse.realsize", Long.toString(logicalSize));
        byte[] map = padded(("1\n" + (logicalSize - data.length) + "\n" + data.length + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] body = new byte[map.length + data.length];
        System.arraycopy(map, 0, body, 0, map.length);
        System.arraycopy(data, 0, body, map.length, data.length);
        return archive(pax(name, records), checksummed(header("GNUSparseFile.1/" + name, TarConstants.LF_NORMAL, body.length, false)),
                padded(body));
    }

    /** A PAX extended header ({@code 'x'}) entry holding {@code records}. */
    private static byte[] pax(String name, Map<String, String> records) {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> record : records.entrySet()) {
            String line = " " + record.getKey() + "=" + record.getValue() + "\n";
            int length = line.length() + 1;
            while (Integer.toString(length).length() + line.length() != length) {
                length++;
            }
            body.append(length).append(line);
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        byte[] header = checksummed(header("PaxHeaders/" + name, TarConstants.LF_PAX_EXTENDED_HEADER_LC, bytes.length, false));
        return joined(header, padded(bytes));
    }

    /** A header without its checksum: root's, 0644, the test layers' mtime; ustar or old GNU magic. */
    private static byte[] header(String name, byte type, long size, boolean gnu) {
        byte[] header = new byte[BLOCK];
        put(header, 0, name);
        number(header, 100, 8, 0644);
        number(header, 108, 8, 0);
        number(header, 116, 8, 0);
        number(header, 124, 12, size);
        number(header, 136, 12, TestLayer.MTIME.toInstant().getEpochSecond());
        header[156] = type;
        put(header, 257, gnu ? "ustar  \0" : "ustar\0" + "00");
        put(header, 265, "root");
        put(header, 297, "root");
        return header;
    }

    private static byte[] checksummed(byte[] header) {
        checksum(header);
        return header;
    }

    private static void checksum(byte[] header) {
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum) + "\0 ");
    }

    /** Octal with a NUL terminator where it fits, else base-256 (GNU's way for big numbers). */
    private static void number(byte[] header, int offset, int length, long value) {
        String octal = Long.toOctalString(value);
        if (octal.length() < length) {
            put(header, offset, "0".repeat(length - 1 - octal.length()) + octal);
            return;
        }
        header[offset] = (byte) 0x80;
        for (int i = offset + length - 1; i > offset; i--) {
            header[i] = (byte) value;
            value >>>= 8;
        }
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static byte[] padded(byte[] data) {
        return java.util.Arrays.copyOf(data, (data.length + BLOCK - 1) / BLOCK * BLOCK);
    }

    /** The parts one after the other, then the two zero blocks that end a tar. */
    private static byte[] archive(byte[]... parts) {
        byte[] joined = joined(parts);
        return java.util.Arrays.copyOf(joined, joined.length + 2 * BLOCK);
    }

    private static byte[] joined(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
