package dev.wharf.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGrantsTests {

    private static final String IMAGE = "sha256:" + "1".repeat(64);
    private static final String CONFIG = "sha256:" + "2".repeat(64);
    private static final String LAYER = "sha256:" + "3".repeat(64);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aTeamHoldsOnlyWhatWasGrantedToIt() {
        ImageGrants grants = new ImageGrants(dir);
        grants.grant(1, IMAGE, "registry.example/a/app:1", Set.of(IMAGE, CONFIG, LAYER), T0);

        assertThat(grants.image(1, IMAGE)).hasValue(new ImageGrants.Held(List.of("registry.example/a/app:1"), T0));
        assertThat(grants.holdsBlob(1, LAYER)).isTrue();
        assertThat(grants.image(2, IMAGE)).isEmpty();
        assertThat(grants.holdsBlob(2, LAYER)).isFalse();
        assertThat(grants.images(2)).isEmpty();
        assertThat(grants.heldByAnyTeam(IMAGE)).isTrue();
    }

    @Test
    void grantsSurviveAReopenAndNamesKeepTheirOrderAndFirstTime() throws Exception {
        ImageGrants grants = new ImageGrants(dir);
        grants.grant(7, IMAGE, "r.example/a:1", Set.of(IMAGE, LAYER), T0);
        grants.grant(7, IMAGE, "r.example/a:2", Set.of(IMAGE, LAYER), T0.plusSeconds(60));
        grants.grant(7, IMAGE, null, Set.of(IMAGE, LAYER), T0.plusSeconds(120));

        ImageGrants reopened = new ImageGrants(dir);
        assertThat(reopened.image(7, IMAGE)).hasValue(new ImageGrants.Held(List.of("r.example/a:1", "r.example/a:2"), T0));
        assertThat(reopened.holdsBlob(7, LAYER)).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("7.json");
        }
    }

    @Test
    void releasingTheLastImageForgetsTheTeam() {
        ImageGrants grants = new ImageGrants(dir);
        grants.grant(3, IMAGE, null, Set.of(IMAGE, CONFIG, LAYER), T0);
        grants.grant(4, IMAGE, null, Set.of(IMAGE, CONFIG, LAYER), T0);

        grants.release(3, IMAGE, Set.of(IMAGE, CONFIG, LAYER));

        assertThat(grants.image(3, IMAGE)).isEmpty();
        assertThat(grants.holdsBlob(3, LAYER)).isFalse();
        assertThat(grants.heldByAnyTeam(IMAGE)).isTrue();
        assertThat(dir.resolve("3.json")).doesNotExist();
        grants.release(4, IMAGE, Set.of(IMAGE, CONFIG, LAYER));
        assertThat(grants.heldByAnyTeam(IMAGE)).isFalse();
        assertThat(new ImageGrants(dir).images(4)).isEmpty();
    }
}
