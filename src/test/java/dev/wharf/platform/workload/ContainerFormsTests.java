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
        return new ContainerPages.CreateForm(name, "busybox:1", command, env, cpus, memory, pids, "on-failure", "", null, null, null, null);
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
                rows);
        ContainerRequest request = ContainerForms.request(typed);
        assertThat(request.network()).isEqualTo("none");
        assertThat(request.ports()).containsExactly(new ContainerRequest.PortRequest(80, 8081, "tcp", "127.0.0.1"),
                new ContainerRequest.PortRequest(53, 5353, "udp", null));
        // shown again: the filled rows first, so the API's ports[1] is the form's second row, and a blank one to add another
        assertThat(ContainerForms.portRows(rows)).extracting(ContainerPages.PortField::containerPort).containsExactly(" 80 ", "53", "");
        assertThat(ContainerForms.request(form("web", "", "", "", "", "")).ports()).isNull();

        List<ContainerPages.PortField> wrong = List.of(new ContainerPages.PortField("80", "http", "tcp", ""));
        assertThatThrownBy(() -> ContainerForms.request(new ContainerPages.CreateForm("web", "busybox:1", "", "", "", "", "", "no", "",
                true, null, "team", wrong))).isInstanceOfSatisfying(WharfException.class, e -> assertThat(ContainerForms.fieldErrors(e))
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
}
