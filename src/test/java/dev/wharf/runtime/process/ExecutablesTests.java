package dev.wharf.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExecutablesTests {

    @Test
    void aNameIsFoundOnThePathAsAnAbsolutePath() {
        assertThat(Executables.find("sh")).hasValueSatisfying(p -> assertThat(p.isAbsolute()).isTrue());
    }

    @Test
    void aPathIsTakenAsItIsWhenExecutable() {
        assertThat(Executables.find("/bin/sh")).contains(Path.of("/bin/sh"));
        assertThat(Executables.find("/nonexistent/runc")).isEmpty();
        assertThat(Executables.find("no-such-binary-anywhere")).isEmpty();
    }

    @Test
    void theSbinDirectoriesAreSearchedAfterThePath() {
        assertThat(Executables.searchPath()).endsWith(":/usr/local/sbin:/usr/sbin:/sbin");
    }
}
