package dev.wharf.runtime.process;

import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads conmon's k8s-file logs: one record per line, {@code <RFC3339Nano time> <stdout|stderr> <F|P> <text>},
 * where {@code P} marks a partial line continued by the next record of the same stream.
 */
public final class K8sFileLog {

    private static final long FOLLOW_POLL_MILLIS = 100;

    private K8sFileLog() {
    }

    /** Parses one record; {@code null} for a malformed one. */
    static Record parse(String line) {
        int first = line.indexOf(' ');
        int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
        int third = second < 0 ? -1 : line.indexOf(' ', second + 1);
        if (third < 0 && second > 0 && line.length() == second + 2) {
            third = line.length();
        }
        if (first < 0 || second < 0 || third < 0) {
            return null;
        }
        try {
            Instant time = OffsetDateTime.parse(line.substring(0, first)).toInstant();
            LogLine.Stream stream = switch (line.substring(first + 1, second)) {
                case "stdout" -> LogLine.Stream.STDOUT;
                case "stderr" -> LogLine.Stream.STDERR;
                default -> null;
            };
            if (stream == null) {
                return null;
            }
            boolean partial = line.substring(second + 1, Math.min(third, line.length())).equals("P");
            String text = third >= line.length() ? "" : line.substring(third + 1);
            return new Record(time, stream, partial, text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    record Record(Instant time, LogLine.Stream stream, boolean partial, String text) {
    }

    /**
     * The log's lines for a query. With {@code follow}, the stream polls the file for new lines
     * until {@code finished} says the container has exited and everything was read, or until closed.
     */
    public static Stream<LogLine> read(Path file, LogQuery query, BooleanSupplier finished) {
        List<LogLine> existing = new ArrayList<>();
        long offset;
        try (Reader reader = new Reader(file)) {
            reader.readAvailable(existing);
            offset = reader.position;
        }
        List<LogLine> selected = select(existing, query);
        if (!query.follow()) {
            return selected.stream();
        }
        Reader tail = new Reader(file);
        tail.position = offset;
        Iterator<LogLine> follow = new Iterator<>() {
            final Deque<LogLine> pending = new ArrayDeque<>(selected);
            boolean done;

            @Override
            public boolean hasNext() {
                while (pending.isEmpty() && !done) {
                    boolean exited = finished.getAsBoolean();
                    List<LogLine> fresh = new ArrayList<>();
                    tail.readAvailable(fresh);
                    fresh.stream().filter(l -> query.since() == null || !l.time().isBefore(query.since())).forEach(pending::add);
                    if (pending.isEmpty()) {
                        if (exited) {
                            done = true;
                        } else {
                            sleep();
                        }
                    }
                }
                return !pending.isEmpty();
            }

            @Override
            public LogLine next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.removeFirst();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(follow, Spliterator.ORDERED), false).onClose(tail::close);
    }

    private static List<LogLine> select(List<LogLine> lines, LogQuery query) {
        List<LogLine> matching = query.since() == null ? lines
                : lines.stream().filter(l -> !l.time().isBefore(query.since())).toList();
        if (query.tail() != null && matching.size() > query.tail()) {
            return matching.subList(matching.size() - query.tail(), matching.size());
        }
        return matching;
    }

    private static void sleep() {
        try {
            Thread.sleep(FOLLOW_POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following a log", e);
        }
    }

    /** Reads whole records from a position on; joins partial records; restarts when the file was truncated. */
    private static final class Reader implements AutoCloseable {
        private final Path file;
        private RandomAccessFile raf;
        long position;
        private final StringBuilder partialText = new StringBuilder();

        Reader(Path file) {
            this.file = file;
        }

        void readAvailable(List<LogLine> out) {
            try {
                if (raf == null) {
                    if (!Files.exists(file)) {
                        return;
                    }
                    raf = new RandomAccessFile(file.toFile(), "r");
                }
                if (raf.length() < position) {
                    position = 0; // conmon truncated the log at its size cap
                    partialText.setLength(0);
                }
                raf.seek(position);
                byte[] buffer = new byte[64 * 1024];
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                int n;
                while ((n = raf.read(buffer)) > 0) {
                    bytes.write(buffer, 0, n);
                }
                String chunk = bytes.toString(StandardCharsets.UTF_8);
                int lastNewline = chunk.lastIndexOf('\n');
                if (lastNewline < 0) {
                    return;
                }
                position += chunk.substring(0, lastNewline + 1).getBytes(StandardCharsets.UTF_8).length;
                for (String line : chunk.substring(0, lastNewline).split("\n", -1)) {
                    Record record = parse(line);
                    if (record == null) {
                        continue;
                    }
                    if (record.partial()) {
                        partialText.append(record.text());
                        continue;
                    }
                    String text = partialText.append(record.text()).toString();
                    partialText.setLength(0);
                    out.add(new LogLine(record.time(), record.stream(), text));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("read log " + file, e);
            }
        }

        @Override
        public void close() {
            if (raf != null) {
                try {
                    raf.close();
                } catch (IOException ignored) {
                    // closing a read-only file
                }
            }
        }
    }
}
