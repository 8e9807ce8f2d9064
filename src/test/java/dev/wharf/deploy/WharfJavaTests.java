package dev.wharf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wharf-java}, the launcher every start path uses ({@code ./wharf run}, the image, the Helm
 * chart): each mode's options are ones this JVM accepts (a misspelt or unknown option would stop Wharf
 * from starting at all), a host's runtime gets its small-host options and the control plane does not,
 * and what an operator adds comes after the defaults, so it wins.
 */
class WharfJavaTests {

    record Result(int exit, String out) {
    }

    private static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out.strip());
    }

    private static List<String> options(String mode) throws IOException, InterruptedException {
        Result printed = run(Map.of(), "bin/wharf-java", "--print-options", mode);
        assertThat(printed.exit()).as(printed.out()).isZero();
        return List.of(printed.out().split("\\s+"));
    }

    @Test
    void everyModesOptionsAreAcceptedByThisJvm() throws Exception {
        for (String mode : List.of("node", "all", "server")) {
            List<String> command = new ArrayList<>(List.of("java"));
            command.addAll(options(mode));
            command.add("-version");
            Result version = run(Map.of(), command.toArray(String[]::new));
            assertThat(version.exit()).as(mode + ": " + version.out()).isZero();
            assertThat(version.out()).as(mode).doesNotContainIgnoringCase("warning").doesNotContain("Unrecognized");
        }
    }

    @Test
    void aHostsRuntimeGetsTheSmallHostOptionsAndTheControlPlaneDoesNot() throws Exception {
        for (String mode : List.of("node", "all")) {
            assertThat(options(mode)).as(mode).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k")
                    .anyMatch(o -> o.startsWith("-Xmx")).anyMatch(o -> o.startsWith("-XX:MaxNewSize="));
        }
        assertThat(options("node")).contains("-Xmx128m");
        assertThat(options("all")).contains("-Xmx384m");
        assertThat(options("server")).contains("-XX:+UseG1GC").noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel"))
                .noneMatch(o -> o.startsWith("-Xmx"));
    }

    @Test
    void theOperatorsOptionsComeAfterTheDefaults(@TempDir Path dir) throws Exception {
        // a "java" on PATH that prints its arguments: what the launcher would exec, without a JVM
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fake = bin.resolve("java");
        Files.writeString(fake, "#!/bin/sh\necho \"$@\"\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Path jar = Files.writeString(dir.resolve("some-build.jar"), "not a jar");
        Result launched = run(Map.of("PATH", bin + ":" + System.getenv("PATH"), "WHARF_CDS", "off",
                "WHARF_JAVA_OPTS", "-XX:TieredStopAtLevel=4 -Xmx1g"), "bin/wharf-java", jar.toString(), "--wharf.mode=node");
        assertThat(launched.exit()).as(launched.out()).isZero();
        String line = launched.out();
        assertThat(line).contains("-XX:TieredStopAtLevel=1", "-Xmx128m").endsWith("-jar " + jar + " --wharf.mode=node");
        assertThat(line.indexOf("-XX:TieredStopAtLevel=4")).isGreaterThan(line.indexOf("-XX:TieredStopAtLevel=1"));
        assertThat(line.indexOf("-Xmx1g")).isGreaterThan(line.indexOf("-Xmx128m"));
    }
}
