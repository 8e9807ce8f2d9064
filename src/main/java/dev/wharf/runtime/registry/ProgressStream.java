package dev.wharf.runtime.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A layer's download stream: reports progress about every 64 KiB and remembers whether reading
 * failed, so a broken download (worth a retry) can be told from content that does not verify.
 */
final class ProgressStream extends FilterInputStream {

    private static final long REPORT_EVERY = 64 * 1024;

    private final String digest;
    private final long total;
    private final LayerProgress progress;
    private long done;
    private long reported;
    private IOException readFailure;

    ProgressStream(InputStream in, String digest, long total, LayerProgress progress) {
        super(in);
        this.digest = digest;
        this.total = total;
        this.progress = progress;
    }

    /** The exception reading the download failed with, or null. */
    IOException readFailure() {
        return readFailure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            readFailure = e;
            throw e;
        }
        if (n > 0) {
            done += n;
            if (done - reported >= REPORT_EVERY) {
                reported = done;
                progress.layer(digest, done, total);
            }
        }
        return n;
    }
}
