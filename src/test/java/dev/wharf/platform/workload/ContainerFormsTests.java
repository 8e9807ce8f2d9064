package dev.wharf.platform.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.web.WharfException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The create form's text fields become the API's request, and the API's field errors land at the form's fields. */
class ContainerFormsTests {

    private static ContainerPages.CreateForm form(String name, String command, String env, String cpus, String memory, String pids) {
        return new ContainerPages.CreateForm(name, "busybox:1", command, env, cpus, memory, pids, "on-failure", "", null, null, null, null, null);
    }

    @Test
    void oneArgumentPerLineAndKeyValueEnvironment() {
        ContainerRequest request = ContainerForms.request(form(" web ", "/bin/sh\r\n-c\n\necho a b  c\n", "A=1\nB=x=y\n\n", "0.5",
                "64Mi", "100"));
        assertThat(request.name()).isEqualTo("web");
        assertThat(request.command()).containsExactly("/bin/sh", "-c", "echo a b  c");
        assertThat(request.env()).containsExactly(Map.entry("A", "1"), Map.entry("B", "x=y"));
        assertThat(request.resources()).isEqualTo(new ContainerRequest.ResourceRequest(0.5, "64Mi", 100L));
        assertThat(request.project()).isNull();
        assertThat(request.start()).as("an unticked box means do not start").isFalse();
        assertThat(request.restartPolicy()).isEqualTo("on-failure");
    }

    @Test
    void emptyFieldsMeanTheImagesCommandAndTheTeamsDefaults() {
        ContainerRequest request = ContainerForms.request(form("web", " \n", "", "", " ", ""));
        assertThat(request.command()).isNull();
        assertThat(request.env()).isNull();
        assertThat(request.resources()).isEqualTo(new ContainerRequest.ResourceRequest(null, null, null));
    }

    @Test
    void mistakesAreReportedAtTheirField() {
        assertThat(fieldOf(() -> ContainerForms.request(form("Web", "", "", "", "", "")))).containsKey("name");
        assertThat(fieldOf(() -> ContainerForms.request(form("web", "", "no-equals-sign", "", "", ""))))
                .containsEntry("env", "line 1 of the environment is not KEY=VALUE: \"no-equals-sign\"");
        assertThat(fieldOf(() -> ContainerForms.request(form("web", "", "", "half", "", "")))).containsKey("cpus");
        assertThat(fieldOf(() -> ContainerForms.request(form("web", "", "", "", "", "1.5")))).containsKey("pids");
        assertThat(ContainerForms.fieldErrors(WharfException.invalidField("resources.memory", "bad memory")))
                .isEqualTo(Map.of("memory", "bad memory"));
        assertThat(ContainerForms.fieldErrors(WharfException.conflict("no fields"))).isEmpty();
    }

    @Test
    void tickedVolumeRowsBecomeMountsAndNeedAPath() {
        List<ContainerPages.VolumeField> rows = java.util.Arrays.asList(new ContainerPages.VolumeField("data", " /srv/data ", true),
                new ContainerPages.VolumeField(null, "/data/cache", null), null, new ContainerPages.VolumeField("logs", "/logs", null));
        assertThat(ContainerForms.volumes(rows)).containsExactly(new ContainerRequest.VolumeRequest("data", "/srv/data", true),
                new ContainerRequest.VolumeRequest("logs", "/logs", false));
        assertThat(ContainerForms.volumes(List.of(new ContainerPages.VolumeField(null, "/x", true)))).as("none ticked").isNull();
        assertThat(fieldOf(() -> ContainerForms.volumes(List.of(new ContainerPages.VolumeField("data", " ", null)))))
                .containsEntry("volumes", "give the path where volume data is mounted, like /data");
    }

    private static Map<String, String> fieldOf(Runnable action) {
        try {
            action.run();
        } catch (WharfException e) {
            return ContainerForms.fieldErrors(e);
        }
        throw new AssertionError("no error");
    }

    @Test
    void uptimeReadsAtAGlance() {
        assertThat(List.of(45L, 192L, 7500L, 356400L).stream().map(s -> ContainerRow.human(java.time.Duration.ofSeconds(s))).toList())
                .containsExactly("45s", "3m 12s", "2h 5m", "4d 3h");
        assertThatThrownBy(() -> ContainerForms.request(form("web", "", "", "", "", "x"))).isInstanceOf(WharfException.class);
    }

    @Test
    void filledPortRowsBecomeTheApisPortsInOrderAndBlankRowsAreNone() {
        List<ContainerPages.PortField> rows = List.of(new ContainerPages.PortField("", "", "tcp", ""),
                new ContainerPages.PortField(" 80 ", "8081", "tcp", "127.0.0.1"), new ContainerPages.PortField("53", "5353", "udp", ""));
        ContainerPages.CreateForm typed = new ContainerPages.CreateForm("web", "busybox:1", "", "", "", "", "", "no", "", true, null, "none",
                rows, null);
        ContainerRequest request = ContainerForms.request(typed);
        assertThat(request.network()).isEqualTo("none");
        assertThat(request.ports()).containsExactly(new ContainerRequest.PortRequest(80, 8081, "tcp", "127.0.0.1"),
                new ContainerRequest.PortRequest(53, 5353, "udp", null));
        // shown again: the filled rows first, so the API's ports[1] is the form's second row, and a blank one to add another
        assertThat(ContainerForms.portRows(rows)).extracting(ContainerPages.PortField::containerPort).containsExactly(" 80 ", "53", "");
        assertThat(ContainerForms.request(form("web", "", "", "", "", "")).ports()).isNull();

        List<ContainerPages.PortField> wrong = List.of(new ContainerPages.PortField("80", "http", "tcp", ""));
        assertThatThrownBy(() -> ContainerForms.request(new ContainerPages.CreateForm("web", "busybox:1", "", "", "", "", "", "no", "",
                true, null, "team", wrong, null))).isInstanceOfSatisfying(WharfException.class, e -> assertThat(ContainerForms.fieldErrors(e))
                        .containsEntry("ports[0].hostPort", "host port must be a number from 1 to 65535, got \"http\""));
    }

    @Test
    void publishedPortsReadLikeDockersAndLinkWhereABrowserCanFollow() {
        ContainerRow.PublishedPort loopback = ContainerRow.PublishedPort.of(new ContainerRequest.PortRequest(80, 8081, null, "127.0.0.1"), "wharf.example");
        assertThat(loopback).isEqualTo(new ContainerRow.PublishedPort("127.0.0.1:8081→80/tcp", "http://127.0.0.1:8081"));
        ContainerRow.PublishedPort everywhere = ContainerRow.PublishedPort.of(new ContainerRequest.PortRequest(80, 8082, "tcp", null), "wharf.example");
        assertThat(everywhere).isEqualTo(new ContainerRow.PublishedPort("0.0.0.0:8082→80/tcp", "http://wharf.example:8082"));
        assertThat(ContainerRow.PublishedPort.of(new ContainerRequest.PortRequest(53, 5353, "udp", null), "wharf.example").href()).isNull();
        assertThat(ContainerRow.PublishedPort.of(new ContainerRequest.PortRequest(80, 8083, "tcp", "10.0.0.5"), "wharf.example").href()).isNull();
    }

    private static ContainerRequest withAdvanced(AdvancedForm advanced) {
        return ContainerForms.request(new ContainerPages.CreateForm("web", "busybox:1", "serve", "", "", "", "", "no", "", true, null, "team",
                null, advanced));
    }

    @Test
    void theAdvancedSectionFillsInTheApisFields() {
        ContainerRequest request = withAdvanced(new AdvancedForm("/bin/sh\n-c\n", " 1000:1000 ", "tier=web\r\n\ncom.example/owner=ops",
                " test -f /tmp/ok ", "1s", "", "5s", " 2 ", true, "3", true, List.of(new AdvancedForm.TmpfsField("", ""),
                        new AdvancedForm.TmpfsField(" /scratch ", "8Mi"), new AdvancedForm.TmpfsField("/run", "")), true));
        assertThat(request.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(request.command()).containsExactly("serve");
        assertThat(request.user()).isEqualTo("1000:1000");
        assertThat(request.labels()).containsExactly(Map.entry("tier", "web"), Map.entry("com.example/owner", "ops"));
        assertThat(request.healthcheck()).isEqualTo(new ContainerRequest.HealthcheckRequest(List.of("CMD-SHELL", "test -f /tmp/ok"), "1s",
                null, "5s", 2, "restart"));
        assertThat(request.stopTimeout()).isEqualTo(3);
        assertThat(request.init()).isTrue();
        assertThat(request.readOnlyRootfs()).isTrue();
        // the filled rows in order (the API's tmpfs[1] is the form's third row), an empty size left to the API to refuse
        assertThat(request.tmpfs()).containsExactly(new ContainerRequest.TmpfsRequest("/scratch", "8Mi"),
                new ContainerRequest.TmpfsRequest("/run", null));
        assertThat(ContainerForms.tmpfsRows(List.of(new AdvancedForm.TmpfsField("", ""), new AdvancedForm.TmpfsField("/a", "1Mi"),
                new AdvancedForm.TmpfsField("/b", "1Mi")))).extracting(AdvancedForm.TmpfsField::path).containsExactly("/a", "/b", "");
    }

    @Test
    void anUntouchedAdvancedSectionLeavesEverythingToTheImageAndTheDefaults() {
        for (AdvancedForm untouched : java.util.Arrays.asList(AdvancedForm.EMPTY, null)) {
            ContainerRequest request = withAdvanced(untouched);
            assertThat(request.entrypoint()).isNull();
            assertThat(request.user()).isNull();
            assertThat(request.labels()).isNull();
            assertThat(request.healthcheck()).as("no health check of its own: the image's, if any").isNull();
            assertThat(request.stopTimeout()).isNull();
            assertThat(request.init()).isNull();
            assertThat(request.tmpfs()).isNull();
            assertThat(request.readOnlyRootfs()).isNull();
        }
        assertThat(AdvancedForm.EMPTY.filled()).isFalse();
        assertThat(ContainerForms.tmpfsRows(null)).hasSize(ContainerForms.TMPFS_ROWS);
    }

    @Test
    void theHealthCheckTakesOneShellCommandNoneTurnsTheImagesOffAndTheRestOverridesTheImages() {
        AdvancedForm none = new AdvancedForm("", "", "", "NONE", "", "", "", "", false, "", false, List.of(), false);
        assertThat(withAdvanced(none).healthcheck().test()).containsExactly("NONE");
        AdvancedForm onlyInterval = new AdvancedForm("", "", "", " ", "10s", "", "", "", false, "", false, List.of(), false);
        assertThat(withAdvanced(onlyInterval).healthcheck()).isEqualTo(new ContainerRequest.HealthcheckRequest(null, "10s", null, null, null, null));
        assertThat(onlyInterval.filled()).isTrue();
        AdvancedForm shell = new AdvancedForm("", "", "", "curl -f http://localhost/ || exit 1", "", "", "", "", false, "", false, null, false);
        assertThat(withAdvanced(shell).healthcheck().test()).containsExactly("CMD-SHELL", "curl -f http://localhost/ || exit 1");
    }

    @Test
    void advancedMistakesAreReportedAtTheirFieldAndOpenTheSection() {
        AdvancedForm labels = new AdvancedForm("", "", "tier", "", "", "", "", "", false, "", false, List.of(), false);
        assertThat(fieldOf(() -> withAdvanced(labels))).containsEntry("labels", "line 1 of the labels is not KEY=VALUE: \"tier\"");
        AdvancedForm retries = new AdvancedForm("", "", "", "true", "", "", "", "three", false, "", false, List.of(), false);
        assertThat(fieldOf(() -> withAdvanced(retries))).containsEntry("healthcheck.retries", "retries must be a whole number, got \"three\"");
        AdvancedForm stop = new AdvancedForm("", "", "", "", "", "", "", "", false, "1.5", false, List.of(), false);
        assertThat(fieldOf(() -> withAdvanced(stop))).containsEntry("stopTimeout", "the stop timeout must be a whole number, got \"1.5\"");
        assertThat(List.of("labels", "healthcheck.interval", "tmpfs[0].size", "tmpfs[1]", "stopTimeout", "user", "readOnlyRootfs"))
                .allMatch(AdvancedForm::holds);
        assertThat(List.of("name", "resources.memory", "memory", "ports[0].hostPort", "env", "userdata")).noneMatch(AdvancedForm::holds);
    }
}
