package dev.wharf.runtime.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileContentStoreTests {

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
    /** sha256sum of "hello\n", as the coreutils compute it. */
    private static final String HELLO_DIGEST = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @TempDir
    Path root;

    @Test
    void writtenBlobsAreAddressedByTheirDigest() throws IOException {
        FileContentStore store = new FileContentStore(root);

        assertThat(store.write(HELLO_DIGEST, HELLO.length, new ByteArrayInputStream(HELLO))).isEqualTo(HELLO_DIGEST);

        assertThat(store.has(HELLO_DIGEST)).isTrue();
        assertThat(store.size(HELLO_DIGEST)).isEqualTo(HELLO.length);
        assertThat(store.path(HELLO_DIGEST)).isEqualTo(root.resolve("blobs/sha256/" + HELLO_DIGEST.substring(7))).hasBinaryContent(HELLO);
        assertThat(store.list()).containsExactly(HELLO_DIGEST);
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void writeBytesComputesTheDigest() {
        FileContentStore store = new FileContentStore(root);

        assertThat(store.writeBytes(HELLO)).isEqualTo(HELLO_DIGEST);
        assertThat(store.writeBytes(HELLO)).isEqualTo(HELLO_DIGEST);
        assertThat(store.list()).containsExactly(HELLO_DIGEST);
    }

    @Test
    void contentWithAnotherDigestLeavesNothing() {
        FileContentStore store = new FileContentStore(root);
        byte[] other = "hellO\n".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> store.write(HELLO_DIGEST, other.length, new ByteArrayInputStream(other)))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("content does not match: expected " + HELLO_DIGEST + " (6 bytes), got " + Digests.sha256(other) + " (6 bytes)");
        assertThat(store.has(HELLO_DIGEST)).isFalse();
        assertThat(store.list()).isEmpty();
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void aBlobStoredAlreadyIsVerifiedAgainstTheBytesEveryWriterSupplies() {
        FileContentStore store = new FileContentStore(root);
        store.write(HELLO_DIGEST, HELLO.length, new ByteArrayInputStream(HELLO));

        // a writer who only knows the digest cannot pass off other bytes as the stored blob
        assertThatThrownBy(() -> store.write(HELLO_DIGEST, 1, new ByteArrayInputStream(new byte[] {'x'})))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("content does not match: expected " + HELLO_DIGEST + " (1 bytes), got " + Digests.sha256(new byte[] {'x'})
                        + " (1 bytes)");
        assertThatThrownBy(() -> store.write(HELLO_DIGEST, HELLO.length, new ByteArrayInputStream("hellO\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("content does not match: expected " + HELLO_DIGEST);
        assertThat(store.path(HELLO_DIGEST)).hasBinaryContent(HELLO);
        assertThat(store.write(HELLO_DIGEST, HELLO.length, new ByteArrayInputStream(HELLO))).isEqualTo(HELLO_DIGEST);
        assertThat(store.list()).containsExactly(HELLO_DIGEST);
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void contentOfAnotherSizeLeavesNothing() {
        FileContentStore store = new FileContentStore(root);

        assertThatThrownBy(() -> store.write(HELLO_DIGEST, 5, new ByteArrayInputStream(HELLO)))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("content does not match: expected " + HELLO_DIGEST + " (5 bytes), got more than 5 bytes");
        assertThatThrownBy(() -> store.write(HELLO_DIGEST, 7, new ByteArrayInputStream(HELLO)))
                .hasMessage("content does not match: expected " + HELLO_DIGEST + " (7 bytes), got " + HELLO_DIGEST + " (6 bytes)");
        assertThat(store.list()).isEmpty();
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void aStreamThatFailsLeavesNothing() {
        FileContentStore store = new FileContentStore(root);
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> store.write(HELLO_DIGEST, HELLO.length, broken))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INTERNAL))
                .hasMessage("write " + HELLO_DIGEST + ": connection reset");
        assertThat(store.list()).isEmpty();
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void concurrentWritersOfOneBlobAllSucceed() throws Exception {
        FileContentStore store = new FileContentStore(root);
        byte[] blob = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(blob);
        String digest = Digests.sha256(blob);
        int writers = 8;
        CountDownLatch allStarted = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                results.add(pool.submit(() -> store.write(digest, blob.length, new ByteArrayInputStream(blob) {
                    private boolean first = true;

                    @Override
                    public synchronized int read(byte[] buffer, int offset, int length) {
                        if (first) {
                            // every writer is past its "already there?" check before any publishes
                            first = false;
                            allStarted.countDown();
                            await(allStarted);
                        }
                        return super.read(buffer, offset, length);
                    }
                })));
            }
            for (Future<String> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(digest);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.path(digest)).hasBinaryContent(blob);
        assertThat(store.list()).containsExactly(digest);
        assertThat(root.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void leftoverIngestFilesAreRemovedWhenTheStoreOpens() throws IOException {
        Files.createDirectories(root.resolve("ingest"));
        Files.write(root.resolve("ingest/5891b5b522d5-123.part"), "hel".getBytes(StandardCharsets.UTF_8));

        FileContentStore store = new FileContentStore(root);

        assertThat(root.resolve("ingest")).isEmptyDirectory();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void blobsCanBeDeleted() {
        FileContentStore store = new FileContentStore(root);
        store.writeBytes(HELLO);

        store.delete(HELLO_DIGEST);
        store.delete(HELLO_DIGEST);

        assertThat(store.has(HELLO_DIGEST)).isFalse();
        assertThatThrownBy(() -> store.path(HELLO_DIGEST))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("blob " + HELLO_DIGEST + " not found in the content store");
        assertThatThrownBy(() -> store.size(HELLO_DIGEST))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
            "sha256:5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03", "sha256:5891b5",
            "sha512:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", "sha256:../../../etc/passwd", ""})
    void digestsOtherThanSha256HexAreRefused(String digest) {
        FileContentStore store = new FileContentStore(root);

        assertThatThrownBy(() -> store.has(digest))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("invalid digest \"" + digest + "\": expected sha256: and 64 lowercase hex digits");
        assertThatThrownBy(() -> store.write(digest, 6, new ByteArrayInputStream(HELLO))).isInstanceOf(RuntimeFailure.class);
        assertThat(store.list()).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
