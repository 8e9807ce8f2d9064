package dev.wharf.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian package mirror this host's apt uses, read from {@code /etc/apt/sources.list} and
 * {@code sources.list.d} (one-line {@code .list} and deb822 {@code .sources} files), so that no
 * test names a mirror host. The first enabled {@code deb} entry of a main suite (not
 * {@code -security}, {@code -updates} or {@code -backports}) with the {@code main} component wins;
 * its address serves every Debian suite.
 *
 * @param uri    the mirror's address, without a trailing slash ({@code http://mirror/debian})
 * @param source the file it was read from
 */
public record DebianMirror(String uri, Path source) {

    /** The mirror of the sources under {@code aptDir} ({@code /etc/apt}), if any. */
    public static Optional<DebianMirror> of(Path aptDir) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(aptDir.resolve("sources.list"));
        Path parts = aptDir.resolve("sources.list.d");
        if (Files.isDirectory(parts)) {
            try (Stream<Path> listed = Files.list(parts)) {
                listed.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted().forEach(files::add);
            }
        }
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            String text = Files.readString(file);
            Optional<String> uri = file.toString().endsWith(".sources") ? fromDeb822(text) : fromOneLine(text);
            if (uri.isPresent()) {
                return Optional.of(new DebianMirror(uri.get().replaceAll("/+$", ""), file));
            }
        }
        return Optional.empty();
    }

    /** The first matching entry's address in a one-line sources file ({@code deb [opts] URI SUITE COMPONENTS...}). */
    static Optional<String> fromOneLine(String text) {
        for (String raw : text.lines().toList()) {
            String line = raw.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").strip();
            String[] words = line.split("\\s+");
            if (words.length >= 4 && words[0].equals("deb") && archive(words[1], List.of(words[2]),
                    Arrays.asList(words).subList(3, words.length))) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    /** The first matching entry's address in a deb822 sources file (stanzas of {@code Types:}, {@code URIs:} ...). */
    static Optional<String> fromDeb822(String text) {
        for (String stanza : text.split("\\n\\s*\\n")) {
            String types = field(stanza, "Types");
            String enabled = field(stanza, "Enabled");
            if (!List.of(types.split("\\s+")).contains("deb") || enabled.equalsIgnoreCase("no")) {
                continue;
            }
            List<String> suites = List.of(field(stanza, "Suites").split("\\s+"));
            List<String> components = List.of(field(stanza, "Components").split("\\s+"));
            for (String uri : field(stanza, "URIs").split("\\s+")) {
                if (archive(uri, suites, components)) {
                    return Optional.of(uri);
                }
            }
        }
        return Optional.empty();
    }

    /** The {@code Date:} of {@code suite}'s Release file: it changes whenever the mirror publishes the suite anew. */
    public String releaseDate(String suite) throws IOException, InterruptedException {
        String url = uri + "/dists/" + suite + "/Release";
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        if (!field(response.body(), "Origin").equals("Debian")) {
            throw new IOException(url + " is not a Debian archive's Release file");
        }
        String date = field(response.body(), "Date");
        if (date.isEmpty()) {
            throw new IOException(url + " has no Date");
        }
        return date;
    }

    private static boolean archive(String uri, List<String> suites, List<String> components) {
        return (uri.startsWith("http://") || uri.startsWith("https://")) && components.contains("main")
                && suites.stream().anyMatch(suite -> !suite.contains("-") && !suite.contains("/"));
    }

    /** A field's value in an RFC 822-style stanza, continuation lines joined; empty when absent. */
    private static String field(String stanza, String name) {
        StringBuilder value = null;
        for (String line : stanza.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            if (value != null && (line.startsWith(" ") || line.startsWith("\t"))) {
                value.append(' ').append(line.strip());
            } else if (value != null) {
                break;
            } else if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                value = new StringBuilder(line.substring(name.length() + 1).strip());
            }
        }
        return value == null ? "" : value.toString().strip();
    }
}
