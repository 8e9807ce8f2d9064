package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Docker's reference rules (distribution/reference, normalize.go), case by case. */
class ImageReferenceTests {

    private static final String DIGEST = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            busybox                                   | docker.io        | library/busybox      | latest | -
            busybox:1.36                              | docker.io        | library/busybox      | 1.36   | -
            library/busybox                           | docker.io        | library/busybox      | latest | -
            docker.io/busybox                         | docker.io        | library/busybox      | latest | -
            index.docker.io/busybox                   | docker.io        | library/busybox      | latest | -
            docker.io/library/busybox:latest          | docker.io        | library/busybox      | latest | -
            team/app                                  | docker.io        | team/app             | latest | -
            team/sub/app:v1                           | docker.io        | team/sub/app         | v1     | -
            localhost/app                             | localhost        | app                  | latest | -
            localhost:5000/app:2                      | localhost:5000   | app                  | 2      | -
            127.0.0.1:5000/team/app:1.2               | 127.0.0.1:5000   | team/app             | 1.2    | -
            registry.test/team/app                    | registry.test    | team/app             | latest | -
            Registry.Test:443/app                     | Registry.Test:443| app                  | latest | -
            registry.test/a.b/c_d/e__f/g-h/i---j:T_1  | registry.test    | a.b/c_d/e__f/g-h/i---j | T_1  | -
            localhost:5000                            | docker.io        | library/localhost    | 5000   | -
            busybox@sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 | docker.io | library/busybox | - | sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
            registry.test:5000/app:1@sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 | registry.test:5000 | app | 1 | sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
            """)
    void parsesAsDockerDoes(String text, String registry, String repository, String tag, String digest) {
        assertThat(ImageReference.parse(text)).isEqualTo(new ImageReference(registry, repository, tag, digest));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Foo                       | repository name must be lowercase
            team/App:1                | repository name must be lowercase
            registry.test/Team/app    | repository name must be lowercase
            :latest                   | repository name missing
            busybox:                  | invalid tag "" (letters, digits, _ . - and at most 128 characters)
            busybox:-1                | invalid tag "-1" (letters, digits, _ . - and at most 128 characters)
            busybox:a:b               | invalid repository name component "busybox:a"
            busybox@                  | digest must be sha256: and 64 lowercase hex digits
            busybox@sha256:abc        | digest must be sha256: and 64 lowercase hex digits
            busybox@md5:d41d8cd98f00b204e9800998ecf8427e | digest must be sha256: and 64 lowercase hex digits
            team//app                 | empty component in repository name
            team/app/                 | empty component in repository name
            /app                      | empty component in repository name
            -app                      | invalid repository name component "-app"
            app-                      | invalid repository name component "app-"
            a..b                      | invalid repository name component "a..b"
            a___b                     | invalid repository name component "a___b"
            team/ap p                 | invalid repository name component "ap p"
            -registry.test/app        | invalid registry "-registry.test"
            registry.test:port/app    | invalid registry "registry.test:port"
            """)
    void refusesWhatDockerRefuses(String text, String problem) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("invalid reference \"" + text + "\": " + problem);
    }

    @Test
    void emptyAndOverlongReferencesAreRefused() {
        assertThatThrownBy(() -> ImageReference.parse("")).hasMessage("invalid reference \"\": empty reference");
        String longName = "a/".repeat(126) + "abc";
        assertThat(ImageReference.parse(longName).repository()).hasSize(255);
        assertThatThrownBy(() -> ImageReference.parse(longName + "c")).hasMessageEndingWith(": name longer than 255 characters");
        assertThat(ImageReference.parse("app:" + "t".repeat(128)).tag()).hasSize(128);
        assertThatThrownBy(() -> ImageReference.parse("app:" + "t".repeat(129))).hasMessageContaining("invalid tag");
    }

    @Test
    void printsTheCanonicalForm() {
        assertThat(ImageReference.parse("busybox")).hasToString("docker.io/library/busybox:latest");
        assertThat(ImageReference.parse("127.0.0.1:5000/team/app:1.2")).hasToString("127.0.0.1:5000/team/app:1.2");
        assertThat(ImageReference.parse("team/app@" + DIGEST)).hasToString("docker.io/team/app@" + DIGEST);
        assertThat(ImageReference.parse("localhost/app:1@" + DIGEST)).hasToString("localhost/app:1@" + DIGEST);
        assertThat(ImageReference.parse(ImageReference.parse("team/app:1").toString())).isEqualTo(ImageReference.parse("team/app:1"));
    }

    @Test
    void dockerHubIsReachedThroughItsApiHost() {
        assertThat(ImageReference.parse("busybox").apiHost()).isEqualTo("registry-1.docker.io");
        assertThat(ImageReference.parse("127.0.0.1:5000/team/app").apiHost()).isEqualTo("127.0.0.1:5000");
    }
}
