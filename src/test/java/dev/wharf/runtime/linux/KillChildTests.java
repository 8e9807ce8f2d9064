package dev.wharf.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LinuxSyscalls#killChild} against the real kernel: a child of this JVM stands in for a container's init under conmon. */
class KillChildTests {

    private final LinuxSyscalls syscalls = LinuxSyscalls.jna();
    private Process child;

    @AfterEach
    void endChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killsAProcessWhileItIsTheParentsChild() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        int me = (int) ProcessHandle.current().pid();

        assertThat(syscalls.killChild((int) child.pid(), me, 9)).isTrue();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
    }

    @Test
    void leavesAProcessOfAnotherParentAlone() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        int notItsParent = (int) ProcessHandle.current().parent().orElseThrow().pid();

        assertThat(syscalls.killChild((int) child.pid(), notItsParent, 9)).isFalse();
        assertThat(child.isAlive()).isTrue();
    }

    @Test
    void sendsNothingToAProcessThatHasExited() throws Exception {
        child = new ProcessBuilder("true").start();
        child.waitFor(10, TimeUnit.SECONDS); // reaped: its pid names nobody (or, later, somebody else's process)

        assertThat(syscalls.killChild((int) child.pid(), (int) ProcessHandle.current().pid(), 9)).isFalse();
        assertThat(syscalls.killChild(1, (int) ProcessHandle.current().pid(), 9)).isFalse(); // never pid 1
    }
}
