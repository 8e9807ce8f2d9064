package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files the node accepts as the init of containers with {@code init: true}, and what it says about the others. */
class InitBinaryTests {

    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;

    @TempDir
    Path dir;

    /** A 64-bit little-endian ELF header and program header table of these segment types (nothing else). */
    private static byte[] elf64(int... segmentTypes) {
        ByteBuffer file = ByteBuffer.allocate(64 + 56 * segmentTypes.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        file.putShort(16, (short) 2); // ET_EXEC
        file.putLong(32, 64); // e_phoff
        file.putShort(54, (short) 56); // e_phentsize
        file.putShort(56, (short) segmentTypes.length);
        for (int i = 0; i < segmentTypes.length; i++) {
            file.putInt(64 + 56 * i, segmentTypes[i]);
        }
        return file.array();
    }

    /** The same for a 32-bit big-endian executable. */
    private static byte[] elf32BigEndian(int... segmentTypes) {
        ByteBuffer file = ByteBuffer.allocate(52 + 32 * segmentTypes.length).order(ByteOrder.BIG_ENDIAN);
        file.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 1});
        file.putShort(16, (short) 2);
        file.putInt(28, 52);
        file.putShort(42, (short) 32);
        file.putShort(44, (short) segmentTypes.length);
        for (int i = 0; i < segmentTypes.length; i++) {
            file.putInt(52 + 32 * i, segmentTypes[i]);
        }
        return file.array();
    }

    private Path executable(String name, byte[] content) throws IOException {
        Path file = Files.write(dir.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void onlyAnElfExecutableWithoutAProgramInterpreterCountsAsStatic() throws IOException {
        assertThat(InitBinary.isStaticElf(executable("static", elf64(PT_LOAD, PT_LOAD)))).isTrue();
        assertThat(InitBinary.isStaticElf(executable("static32", elf32BigEndian(PT_LOAD)))).isTrue();
        assertThat(InitBinary.isStaticElf(executable("dynamic", elf64(PT_LOAD, PT_INTERP, PT_LOAD)))).isFalse();
        assertThat(InitBinary.isStaticElf(executable("dynamic32", elf32BigEndian(PT_INTERP)))).isFalse();
        assertThat(InitBinary.isStaticElf(executable("script", "#!/bin/sh\nexec \"$@\"\n".getBytes()))).isFalse();
        byte[] whole = elf64(PT_LOAD, PT_INTERP);
        assertThat(InitBinary.isStaticElf(executable("truncated", Arrays.copyOf(whole, whole.length - 60))))
                .as("a table cut short is not trusted").isFalse();
        assertThat(InitBinary.isStaticElf(dir.resolve("missing"))).isFalse();
    }

    @Test
    void debiansTiniStaticIsAcceptedAndItsDynamicTiniIsNot() {
        Path tiniStatic = Path.of(RuntimeSettings.DEFAULT_INIT);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(tiniStatic), "tini is not installed");
        assertThat(new InitBinary(tiniStatic).problem()).isEmpty();
        assertThat(new InitBinary(Path.of("/usr/bin/tini")).problem()).get().asString().contains("not a statically linked");
    }

    @Test
    void eachProblemNamesTheFileAndWhatToDo() throws IOException {
        assertThat(new InitBinary(dir.resolve("none")).problem()).get().asString()
                .contains(dir.resolve("none").toString(), "install the tini package", "wharf.runtime.init", "other containers");
        Path notExecutable = Files.write(dir.resolve("plain"), elf64(PT_LOAD));
        assertThat(new InitBinary(notExecutable).problem()).get().asString().contains("not executable");
        assertThat(new InitBinary(executable("dyn", elf64(PT_INTERP))).problem()).get().asString().contains("statically linked");
    }

    @Test
    void aSpecWithoutInitNeedsNoneAndOneWithInitIsRefusedAsUnavailableWhenItIsMissing() throws IOException {
        InitBinary missing = new InitBinary(dir.resolve("none"));
        assertThat(missing.forSpec(spec(RunOptions.DEFAULT))).isNull();
        assertThatThrownBy(() -> missing.forSpec(spec(new RunOptions(true, List.of(), false, null))))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("tini package")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));

        Path linked = dir.resolve("link");
        Files.createSymbolicLink(linked, executable("real-init", elf64(PT_LOAD)));
        assertThat(new InitBinary(linked).forSpec(spec(new RunOptions(true, List.of(), false, null))))
                .as("the file itself is bound, never a link").isEqualTo(dir.resolve("real-init").toRealPath());
    }

    private static ContainerSpec spec(RunOptions options) {
        return new ContainerSpec("c1", "c1", 1, new Rootfs.Directory(Path.of("/srv/rootfs")), List.of("/bin/true"), Map.of(), null,
                null, Resources.UNLIMITED, null, List.of(), null, options);
    }
}
