package dev.wharf.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSourcesTests {

    private static final String LAYER = "sha256:" + "3".repeat(64);
    private static final String OTHER = "sha256:" + "4".repeat(64);

    @TempDir
    Path dir;

    @Test
    void aBlobCountsAsServedOnlyByTheRepositoriesThatServedItAndAfterAReopen() {
        BlobSources sources = new BlobSources(dir.resolve("grants/sources.json"));
        sources.servedBy("registry.example/team/app", List.of(LAYER));

        BlobSources reopened = new BlobSources(dir.resolve("grants/sources.json"));
        assertThat(reopened.wasServedBy(LAYER, "registry.example/team/app")).isTrue();
        assertThat(reopened.wasServedBy(LAYER, "registry.example/other/app")).isFalse();
        assertThat(reopened.wasServedBy(LAYER, "evil.example/team/app")).isFalse();
        assertThat(reopened.wasServedBy(OTHER, "registry.example/team/app")).isFalse();
    }

    @Test
    void blobsTheNodeNoLongerHasAreForgotten() {
        BlobSources sources = new BlobSources(dir.resolve("sources.json"));
        sources.servedBy("registry.example/team/app", List.of(LAYER, OTHER));

        sources.retainOnly(Set.of(OTHER)::contains);

        assertThat(new BlobSources(dir.resolve("sources.json")).wasServedBy(LAYER, "registry.example/team/app")).isFalse();
        assertThat(sources.wasServedBy(OTHER, "registry.example/team/app")).isTrue();
    }
}
