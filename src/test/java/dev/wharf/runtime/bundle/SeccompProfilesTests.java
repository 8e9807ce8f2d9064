package dev.wharf.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class SeccompProfilesTests {

    private static final ObjectNode AMD64 = SeccompProfiles.forArch("amd64");
    private static final ObjectNode ARM64 = SeccompProfiles.forArch("aarch64");

    /** Syscalls a rule allows whatever their arguments. */
    private static Set<String> allowedAlways(JsonNode profile) {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules(profile)) {
            if (rule.get("action").asString().equals("SCMP_ACT_ALLOW") && !rule.has("args")) {
                rule.get("names").forEach(name -> names.add(name.asString()));
            }
        }
        return names;
    }

    /** Syscalls some rule allows, for some arguments at least. */
    private static Set<String> allowedAtAll(JsonNode profile) {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules(profile)) {
            if (rule.get("action").asString().equals("SCMP_ACT_ALLOW")) {
                rule.get("names").forEach(name -> names.add(name.asString()));
            }
        }
        return names;
    }

    private static List<JsonNode> rules(JsonNode profile) {
        List<JsonNode> rules = new ArrayList<>();
        profile.get("syscalls").forEach(rules::add);
        return rules;
    }

    private static List<JsonNode> rulesFor(JsonNode profile, String syscall) {
        return rules(profile).stream()
                .filter(rule -> rule.get("names").valueStream().anyMatch(name -> name.asString().equals(syscall)))
                .toList();
    }

    @Test
    void everythingNotListedFailsWithEperm() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            assertThat(profile.get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(profile.get("defaultErrnoRet").asInt()).isEqualTo(1);
        }
    }

    @Test
    void eachProfileCoversItsNativeArchitectureAndItsCompatModes() {
        assertThat(AMD64.get("architectures").valueStream().map(JsonNode::asString))
                .containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        assertThat(ARM64.get("architectures").valueStream().map(JsonNode::asString))
                .containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
    }

    @Test
    void ordinaryProgramsRun() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            assertThat(allowedAlways(profile)).contains("read", "write", "openat", "close", "execve", "exit_group",
                    "futex", "epoll_wait", "epoll_pwait", "mmap", "brk", "rt_sigaction", "wait4", "getpid", "accept4",
                    "io_uring_setup", "chroot");
        }
        assertThat(allowedAlways(AMD64)).contains("arch_prctl", "modify_ldt").doesNotContain("set_tls");
        assertThat(allowedAlways(ARM64)).contains("set_tls", "cacheflush").doesNotContain("arch_prctl", "modify_ldt");
    }

    @Test
    void ptraceIsAllowedAsDockerDoesOnKernelsFrom48() {
        assertThat(allowedAlways(AMD64)).contains("ptrace", "process_vm_readv", "process_vm_writev");
    }

    @Test
    void whatNeedsCapabilitiesTheContainerLacksIsRefused() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            assertThat(allowedAtAll(profile)).doesNotContain("mount", "umount", "umount2", "fsopen", "fsmount",
                    "move_mount", "open_tree", "pivot_root", "unshare", "setns", "sethostname", "setdomainname",
                    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
                    "perf_event_open", "keyctl", "add_key", "request_key", "swapon", "swapoff", "syslog", "acct",
                    "iopl", "ioperm", "settimeofday", "clock_settime", "open_by_handle_at", "kcmp", "pidfd_getfd",
                    "process_madvise", "userfaultfd", "mbind", "set_mempolicy", "vhangup", "quotactl", "lookup_dcookie",
                    "fanotify_init");
        }
    }

    @Test
    void cloneMayNotCreateNamespaces() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            List<JsonNode> clone = rulesFor(profile, "clone");
            assertThat(clone).hasSize(1);
            JsonNode arg = clone.get(0).get("args").get(0);
            assertThat(arg.get("index").asInt()).isZero();
            assertThat(arg.get("op").asString()).isEqualTo("SCMP_CMP_MASKED_EQ");
            // CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET must all be clear
            assertThat(arg.get("value").asLong()).isEqualTo(0x7E020000L);
        }
    }

    @Test
    void clone3FailsWithEnosysSoThatGlibcFallsBackToClone() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            List<JsonNode> clone3 = rulesFor(profile, "clone3");
            assertThat(clone3).hasSize(1);
            assertThat(clone3.get(0).get("action").asString()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(clone3.get(0).get("errnoRet").asInt()).isEqualTo(38);
        }
    }

    @Test
    void personalityAndSocketAreAllowedOnlyWithSafeArguments() {
        List<JsonNode> personality = rulesFor(AMD64, "personality");
        assertThat(personality).allSatisfy(rule -> assertThat(rule.get("args").get(0).get("op").asString()).isEqualTo("SCMP_CMP_EQ"));
        assertThat(personality).extracting(rule -> rule.get("args").get(0).get("value").asLong())
                .containsExactly(0L, 8L, 131072L, 131080L, 4294967295L);

        List<JsonNode> socket = rulesFor(AMD64, "socket");
        assertThat(socket).hasSize(1);
        JsonNode notVsock = socket.get(0).get("args").get(0);
        assertThat(notVsock.get("op").asString()).isEqualTo("SCMP_CMP_NE");
        assertThat(notVsock.get("value").asInt()).isEqualTo(40);
    }

    @Test
    void onlyOciFieldsAreLeft() {
        for (ObjectNode profile : List.of(AMD64, ARM64)) {
            assertThat(profile.propertyNames()).containsExactly("defaultAction", "defaultErrnoRet", "architectures", "syscalls");
            assertThat(rules(profile)).allSatisfy(rule -> {
                assertThat(rule.propertyNames()).isSubsetOf("names", "action", "errnoRet", "args");
                assertThat(rule.get("action").asString()).isIn("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO");
            });
        }
    }

    @Test
    void eachCallGetsItsOwnCopy() {
        ObjectNode mine = SeccompProfiles.forHost();
        mine.put("defaultAction", "SCMP_ACT_ALLOW");

        assertThat(SeccompProfiles.forHost().get("defaultAction").asString()).isEqualTo("SCMP_ACT_ERRNO");
    }

    @Test
    void anUnknownArchitectureIsUnavailableAndSaysWhich() {
        assertThatThrownBy(() -> SeccompProfiles.forArch("riscv64"))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("riscv64")
                .extracting(e -> ((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
    }
}
