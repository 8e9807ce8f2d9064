package dev.wharf.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommandRunnerTests {

    @Test
    void aCommandThatPrintsMoreThanTheLimitKeepsItsFirstBytesAndIsReportedOnce() {
        AtomicInteger overflows = new AtomicInteger();
        CommandRunner.Result result = CommandRunner.run(List.of("/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo err >&2"),
                Duration.ofSeconds(30), null, 1000, overflows::incrementAndGet);
        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout()).hasSize(1000).matches("a+");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(overflows).hasValue(1);
        assertThat(result.exitCode()).as("the rest was read and dropped, so the command ran to its end").isZero();
    }

    @Test
    void exactlyTheLimitIsNotTruncated() {
        CommandRunner.Result result = CommandRunner.run(List.of("/bin/sh", "-c", "printf 12345"), Duration.ofSeconds(30), null, 5,
                () -> { throw new AssertionError("no overflow"); });
        assertThat(result.truncated()).isFalse();
        assertThat(result.stdout()).isEqualTo("12345");
    }

    @Test
    void aCutNeverSplitsACharacter() {
        byte[] text = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
        assertThat(CommandRunner.wholeCharacters(java.util.Arrays.copyOf(text, 10))).isEqualTo(10);
        assertThat(CommandRunner.wholeCharacters(java.util.Arrays.copyOf(text, 9))).isEqualTo(6);
        assertThat(CommandRunner.wholeCharacters(java.util.Arrays.copyOf(text, 7))).isEqualTo(6);
        assertThat(CommandRunner.wholeCharacters(java.util.Arrays.copyOf(text, 5))).isEqualTo(3);
        assertThat(CommandRunner.wholeCharacters(java.util.Arrays.copyOf(text, 2))).isEqualTo(1);
        assertThat(CommandRunner.wholeCharacters(new byte[0])).isZero();
    }
}
