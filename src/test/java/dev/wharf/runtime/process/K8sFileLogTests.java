package dev.wharf.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** conmon's k8s-file log as a client reads it: whole lines, the last n, from a time on, and across a truncation. */
class K8sFileLogTests {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00.000000001Z");

    @TempDir
    Path dir;

    private static String record(int second, String stream, String tag, String text) {
        return "2026-12-07T10:00:%02d.000000001Z %s %s %s\n".formatted(second, stream, tag, text);
    }

    private Path log(String... records) throws IOException {
        Path file = dir.resolve("ctr.log");
        Files.writeString(file, String.join("", records), StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> texts(Stream<LogLine> lines) {
        try (lines) {
            return lines.map(LogLine::text).toList();
        }
    }

    @Test
    void recordsBecomeLinesWithTheirTimeAndStream() throws IOException {
        Path file = log(record(0, "stdout", "F", "hello"), record(1, "stderr", "F", "oops: a b  c"));

        List<LogLine> lines = K8sFileLog.read(file, LogQuery.ALL, () -> true).toList();

        assertThat(lines).containsExactly(
                new LogLine(T0, LogLine.Stream.STDOUT, "hello"),
                new LogLine(T0.plusSeconds(1), LogLine.Stream.STDERR, "oops: a b  c"));
    }

    @Test
    void partialRecordsJoinIntoOneLine() throws IOException {
        Path file = log(record(0, "stdout", "P", "a long "), record(0, "stdout", "P", "line in "), record(1, "stdout", "F", "three parts"),
                record(2, "stdout", "F", "next"));

        List<LogLine> lines = K8sFileLog.read(file, LogQuery.ALL, () -> true).toList();

        assertThat(lines).extracting(LogLine::text).containsExactly("a long line in three parts", "next");
        assertThat(lines.get(0).time()).as("the line's time is its last record's").isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void anEmptyLineAndAMalformedRecordAreTold() throws IOException {
        Path file = log(record(0, "stdout", "F", "before"), "2026-12-07T10:00:01.000000001Z stdout F\n", "not a record\n",
                "yesterday stdout F text\n", record(2, "stdin", "F", "wrong stream"), record(3, "stdout", "F", "after"));

        assertThat(texts(K8sFileLog.read(file, LogQuery.ALL, () -> true))).containsExactly("before", "", "after");
    }

    @Test
    void aRecordStillBeingWrittenIsNotReadYet() throws IOException {
        Path file = log(record(0, "stdout", "F", "done"), "2026-12-07T10:00:01.000000001Z stdout F half writ");

        assertThat(texts(K8sFileLog.read(file, LogQuery.ALL, () -> true))).containsExactly("done");
    }

    @Test
    void aMissingLogHasNoLines() {
        assertThat(texts(K8sFileLog.read(dir.resolve("none.log"), LogQuery.ALL, () -> true))).isEmpty();
    }

    @Test
    void tailKeepsTheLastLines() throws IOException {
        Path file = log(record(0, "stdout", "F", "1"), record(1, "stderr", "F", "2"), record(2, "stdout", "F", "3"),
                record(3, "stdout", "F", "4"));

        assertThat(texts(K8sFileLog.read(file, new LogQuery(null, 2, false), () -> true))).containsExactly("3", "4");
        assertThat(texts(K8sFileLog.read(file, new LogQuery(null, 0, false), () -> true))).isEmpty();
        assertThat(texts(K8sFileLog.read(file, new LogQuery(null, 10, false), () -> true))).containsExactly("1", "2", "3", "4");
    }

    @Test
    void sinceKeepsLinesAtOrAfterItAndTailCountsAmongThose() throws IOException {
        Path file = log(record(0, "stdout", "F", "1"), record(1, "stdout", "F", "2"), record(2, "stdout", "F", "3"),
                record(3, "stdout", "F", "4"));

        assertThat(texts(K8sFileLog.read(file, new LogQuery(T0.plusSeconds(1), null, false), () -> true)))
                .containsExactly("2", "3", "4");
        assertThat(texts(K8sFileLog.read(file, new LogQuery(T0.plusMillis(1500), 1, false), () -> true))).containsExactly("4");
        assertThat(texts(K8sFileLog.read(file, new LogQuery(T0.plusSeconds(60), null, false), () -> true))).isEmpty();
    }

    @Test
    @Timeout(10)
    void followDeliversNewLinesUntilTheContainerHasExitedAndAllIsRead() throws IOException {
        Path file = log(record(0, "stdout", "F", "old"));
        AtomicBoolean exited = new AtomicBoolean();

        try (Stream<LogLine> lines = K8sFileLog.read(file, new LogQuery(null, null, true), exited::get)) {
            Iterator<LogLine> follow = lines.iterator();
            assertThat(follow.next().text()).isEqualTo("old");

            Files.writeString(file, record(1, "stdout", "P", "par") + record(1, "stdout", "F", "tial"), StandardOpenOption.APPEND);
            assertThat(follow.next().text()).isEqualTo("partial");

            Files.writeString(file, record(2, "stderr", "F", "last words"), StandardOpenOption.APPEND);
            exited.set(true);
            assertThat(follow.next().text()).as("what was written before the exit is still read").isEqualTo("last words");
            assertThat(follow.hasNext()).isFalse();
        }
    }

    @Test
    @Timeout(10)
    void followStartsOverWhenTheLogWasTruncatedAtItsSizeCap() throws IOException {
        Path file = log(record(0, "stdout", "F", "a line written before the log reached its cap"));
        AtomicBoolean exited = new AtomicBoolean();

        try (Stream<LogLine> lines = K8sFileLog.read(file, new LogQuery(null, null, true), exited::get)) {
            Iterator<LogLine> follow = lines.iterator();
            assertThat(follow.next().text()).startsWith("a line written before");

            Files.writeString(file, record(5, "stdout", "F", "after"), StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(follow.next()).isEqualTo(new LogLine(T0.plusSeconds(5), LogLine.Stream.STDOUT, "after"));
            exited.set(true);
            assertThat(follow.hasNext()).isFalse();
        }
    }

    @Test
    @Timeout(10)
    void followKeepsToSinceForNewLinesAndIgnoresTailForThem() throws IOException {
        Path file = log(record(0, "stdout", "F", "1"), record(2, "stdout", "F", "2"), record(3, "stdout", "F", "3"));
        AtomicBoolean exited = new AtomicBoolean();

        try (Stream<LogLine> lines = K8sFileLog.read(file, new LogQuery(T0.plusSeconds(2), 1, true), exited::get)) {
            Iterator<LogLine> follow = lines.iterator();
            assertThat(follow.next().text()).isEqualTo("3");
            Files.writeString(file, record(1, "stdout", "F", "late, older than since") + record(4, "stdout", "F", "4")
                    + record(5, "stdout", "F", "5"), StandardOpenOption.APPEND);
            exited.set(true);
            assertThat(follow.next().text()).isEqualTo("4");
            assertThat(follow.next().text()).isEqualTo("5");
            assertThat(follow.hasNext()).isFalse();
        }
    }

    @Test
    void parseSplitsARecordIntoItsFourFields() {
        assertThat(K8sFileLog.parse("2026-12-07T11:00:00.5+01:00 stderr P  two spaces"))
                .isEqualTo(new K8sFileLog.Record(Instant.parse("2026-12-07T10:00:00.5Z"), LogLine.Stream.STDERR, true, " two spaces"));
        assertThat(K8sFileLog.parse("2026-12-07T10:00:00Z stdout F")).extracting(K8sFileLog.Record::text).isEqualTo("");
        assertThat(K8sFileLog.parse("2026-12-07T10:00:00Z stdout")).isNull();
        assertThat(K8sFileLog.parse("")).isNull();
    }
}
