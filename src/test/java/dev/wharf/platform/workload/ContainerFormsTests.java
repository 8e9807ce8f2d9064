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
}
