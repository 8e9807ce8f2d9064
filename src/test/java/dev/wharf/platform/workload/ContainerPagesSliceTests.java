package dev.wharf.platform.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.SliceCallers;
import dev.wharf.platform.identity.WebSliceSecurity;
import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.project.ProjectManagement;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.volume.VolumeManagement;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.Health;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The container pages as rendered, with the rows' health set by the test: the table's health badges, the container
 * page's health log, run settings and single network section, and the create form's advanced section (folded, bound
 * to the API's fields, opened with the API's sentence at the field when refused).
 */
@WebMvcTest(ContainerPages.class)
@WebSliceSecurity
@MockitoBean(types = {QuotaAdmission.class, ProjectManagement.class, ImageCatalogue.class, VolumeManagement.class})
class ContainerPagesSliceTests {

    private static final Caller ANN = SliceCallers.member("ann");
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @Autowired
    TeamManagement teams;

    @Autowired
    QuotaAdmission quotas;

    @MockitoBean
    ContainerManagement containers;

    @MockitoBean
    ContainerController api;

    private RequestPostProcessor ann;

    @BeforeEach
    void aMemberOfBlue() {
        ann = callers.session(ANN);
        Team team = mock(Team.class);
        when(team.getName()).thenReturn("blue");
        when(team.getDisplayName()).thenReturn("Blue");
        doReturn(new TeamManagement.TeamAccess(team, TeamRole.MEMBER)).when(teams).require(any(), eq("blue"), any());
        when(teams.holds(any(), eq("blue"), eq(TeamRole.MEMBER))).thenReturn(true);
        QuotaAdmission.Amounts none = new QuotaAdmission.Amounts(null, null, null, null, null);
        when(quotas.view(any(), eq("blue"))).thenReturn(new QuotaAdmission.QuotaView(none, none,
                new QuotaAdmission.DefaultResources(null, 64L << 20, null), true));
        when(containers.now()).thenReturn(NOW);
    }

    /** A running row as the reconciler leaves it, with what its health check found (null: no check). */
    private static Container row(String name, String health, int streak, String log) {
        return new Container("id-" + name, 1, 1L, null, name, "busybox:1", "sha256:abc", "{}", BigDecimal.ONE, 64L << 20, 100L,
                RestartPolicy.parse("no"), Container.DesiredState.RUNNING, Container.State.RUNNING, null, null, false, 0, "local", "ann",
                NOW.minusSeconds(600), NOW.minusSeconds(120), null, "10.88.0.5", 0, health, streak, log);
    }

    private ContainerController.ContainerView view(Container c, ContainerRequest.HealthcheckRequest check, List<Health.Probe> log) {
        ContainerController.HealthView health = c.getHealthStatus() == null ? null
                : new ContainerController.HealthView(c.getHealthStatus(), c.getHealthFailingStreak(), log);
        return new ContainerController.ContainerView(c.getId(), c.getName(), c.getImage(), c.getImageDigest(), List.of("serve"), Map.of(),
                null, "1000:1000", null, new ContainerController.ResourcesView(1.0, 64L << 20, 100L), "no", "running", "running", null,
                null, false, 0, NOW.minusSeconds(600), NOW.minusSeconds(120), null, "local", List.of(), "team", List.of(), "10.88.0.5", 0,
                null, List.of("/bin/sh", "-c"), Map.of("tier", "web", "com.example/owner", "ops"), check, 3, true,
                List.of(new ContainerRequest.TmpfsRequest("/scratch", "8Mi")), true, health);
    }

    private String render(String path) throws Exception {
        return mvc.perform(get(path).with(ann)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    }

    @Test
    void theContainersTableShowsEachRowsHealthAndNothingWithoutAHealthCheck() throws Exception {
        List<Container> rows = List.of(row("ok", "healthy", 0, null), row("sick", "unhealthy", 3, null), row("new", "starting", 0, null),
                row("plain", null, 0, null));
        when(containers.list(any(), eq("blue"), isNull())).thenReturn(rows);
        rows.forEach(c -> when(api.view(c)).thenReturn(view(c, null, List.of())));

        String html = render("/teams/blue/workload/live");
        assertThat(rowOf(html, "ok")).contains("data-health=\"healthy\"").contains("class=\"badge health health-healthy\"")
                .contains("<span class=\"sr-only\">health: </span><span>healthy</span>");
        assertThat(rowOf(html, "sick")).contains("class=\"badge health health-unhealthy\"").contains("title=\"3 failed probe(s) in a row\"");
        assertThat(rowOf(html, "new")).contains("class=\"badge health health-starting\"");
        assertThat(rowOf(html, "plain")).doesNotContain("data-health").doesNotContain("badge health");
    }

    @Test
    void theContainerPageShowsTheHealthLogNewestFirstItsRunSettingsAndOneNetworkSection() throws Exception {
        Container sick = row("sick", "unhealthy", 3, null);
        List<Health.Probe> log = List.of(
                new Health.Probe(Instant.parse("2026-12-07T09:59:57Z"), Instant.parse("2026-12-07T09:59:57.012Z"), 0, "fine\n"),
                new Health.Probe(Instant.parse("2026-12-07T09:59:58Z"), Instant.parse("2026-12-07T09:59:59.500Z"), 1, "missing <file>\n"),
                new Health.Probe(Instant.parse("2026-12-07T09:59:59Z"), Instant.parse("2026-12-07T10:00:29Z"), -1, ""));
        when(containers.get(any(), eq("blue"), eq("sick"))).thenReturn(sick);
        when(api.view(sick)).thenReturn(view(sick, new ContainerRequest.HealthcheckRequest(List.of("CMD-SHELL", "test -f /tmp/ok"), "1s",
                null, null, null, "restart"), log));

        for (String path : List.of("/teams/blue/containers/sick", "/teams/blue/containers/sick/summary")) {
            String html = render(path);
            assertThat(count(html, "id=\"network\"")).as("network sections on %s", path).isEqualTo(1);
            assertThat(count(html, ">Network</h2>")).isEqualTo(1);
            assertThat(count(html, "id=\"summary\"")).isEqualTo(1);
            assertThat(html).contains("id=\"container-health\"").contains("badge health health-unhealthy");
            // newest first: the timed-out probe, the failure (its output escaped), the pass
            List<String> exits = all(html, "<tr data-exit=\"(-?\\d+)\">");
            assertThat(exits).containsExactly("-1", "1", "0");
            assertThat(all(html, "<td class=\"probe-start\">([^<]*)</td>")).containsExactly("09:59:59 UTC", "09:59:58 UTC", "09:59:57 UTC");
            assertThat(all(html, "<td class=\"probe-duration\">([^<]*)</td>")).containsExactly("30.0 s", "1.5 s", "12 ms");
            assertThat(html).contains("missing &lt;file&gt;").contains("timed out or did not run").contains("no output");
            assertThat(html).contains("<code>test -f /tmp/ok</code>").contains(">restart</dd>");
            assertThat(html).contains("id=\"container-entrypoint\"><code>/bin/sh -c</code>")
                    .contains("id=\"settings-user\"><code>1000:1000</code>").contains("id=\"settings-stop-timeout\">3 s<")
                    .contains("id=\"settings-init\">yes<").contains("id=\"settings-read-only\">yes<")
                    .contains("<code>/scratch</code> <span>8Mi</span>").contains("<code>tier=web</code>")
                    .contains("<code>com.example/owner=ops</code>");
        }
    }

    @Test
    void aContainerWithoutAHealthCheckHasNoHealthSection() throws Exception {
        Container plain = row("plain", null, 0, null);
        when(containers.get(any(), eq("blue"), eq("plain"))).thenReturn(plain);
        when(api.view(plain)).thenReturn(view(plain, null, List.of()));
        String html = render("/teams/blue/containers/plain");
        assertThat(html).doesNotContain("id=\"health\"").doesNotContain("id=\"container-health\"").doesNotContain("health-log");
        assertThat(count(html, "id=\"network\"")).isEqualTo(1);
    }

    @Test
    void theAdvancedSectionIsFoldedOnAFreshForm() throws Exception {
        String html = render("/teams/blue/containers/new");
        assertThat(html).contains("<details class=\"wide advanced\" id=\"f-advanced\">");
        for (String id : List.of("f-entrypoint", "f-user", "f-labels", "f-health-test", "f-health-interval", "f-health-timeout",
                "f-health-start-period", "f-health-retries", "f-health-restart", "f-stop-timeout", "f-init", "f-tmpfs-0-path",
                "f-tmpfs-0-size", "f-tmpfs-1-path", "f-read-only")) {
            assertThat(html).as("a field and its label: %s", id).contains("id=\"" + id + "\"").contains("for=\"" + id + "\"");
        }
    }

    @Test
    void aRefusedAdvancedFieldShowsTheApisSentenceThereWithTheSectionOpenAndWhatWasTyped() throws Exception {
        when(containers.create(any(), eq("blue"), any())).thenThrow(WharfException.invalidField("tmpfs[0].size",
                "tmpfs[0].size must be a byte count or a number with Ki, Mi, Gi or Ti, like \"256Mi\"; got \"lots\""));
        String html = mvc.perform(post("/teams/blue/containers").with(ann).with(csrf()).param("name", "web").param("image", "busybox:1")
                        .param("advanced.user", "1000:1000").param("advanced.entrypoint", "/bin/sh\n-c").param("advanced.labels", "tier=web")
                        .param("advanced.healthTest", "test -f /tmp/ok").param("advanced.healthInterval", "1s")
                        .param("advanced.healthRestart", "true").param("advanced.stopTimeout", "3").param("advanced.init", "true")
                        .param("advanced.tmpfs[0].path", "").param("advanced.tmpfs[0].size", "")
                        .param("advanced.tmpfs[1].path", "/scratch").param("advanced.tmpfs[1].size", "lots")
                        .param("advanced.readOnlyRootfs", "true"))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();

        // what reached the service: every advanced field, the tmpfs row as the API's tmpfs[0]
        org.mockito.ArgumentCaptor<ContainerRequest> sent = org.mockito.ArgumentCaptor.forClass(ContainerRequest.class);
        verify(containers).create(any(), eq("blue"), sent.capture());
        ContainerRequest request = sent.getValue();
        assertThat(request.user()).isEqualTo("1000:1000");
        assertThat(request.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(request.labels()).containsEntry("tier", "web");
        assertThat(request.healthcheck()).isEqualTo(new ContainerRequest.HealthcheckRequest(List.of("CMD-SHELL", "test -f /tmp/ok"), "1s",
                null, null, null, "restart"));
        assertThat(request.stopTimeout()).isEqualTo(3);
        assertThat(request.init()).isTrue();
        assertThat(request.readOnlyRootfs()).isTrue();
        assertThat(request.tmpfs()).containsExactly(new ContainerRequest.TmpfsRequest("/scratch", "lots"));

        assertThat(html).contains("<details class=\"wide advanced\" id=\"f-advanced\" open=\"open\">");
        assertThat(html).contains("id=\"f-tmpfs-0-size\" name=\"advanced.tmpfs[0].size\" value=\"lots\"")
                .contains("aria-invalid=\"true\" aria-describedby=\"f-tmpfs-0-size-error\"")
                .contains("<span class=\"error-text\" id=\"f-tmpfs-0-size-error\">tmpfs[0].size must be a byte count");
        assertThat(html).contains("value=\"/scratch\"").contains("value=\"1000:1000\"").contains(">/bin/sh\n-c</textarea>")
                .contains("id=\"f-init\" name=\"advanced.init\" type=\"checkbox\" value=\"true\" checked=\"checked\"")
                .contains("id=\"f-health-restart\" name=\"advanced.healthRestart\" type=\"checkbox\" value=\"true\" checked=\"checked\"");
        verifyNoMoreInteractions(containers);
    }

    /** The table row of container {@code name}. */
    private static String rowOf(String html, String name) {
        Matcher m = Pattern.compile("<tr data-container=\"" + name + "\".*?</tr>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("a row for %s", name).isTrue();
        return m.group();
    }

    private static int count(String html, String text) {
        return html.split(Pattern.quote(text), -1).length - 1;
    }

    private static List<String> all(String html, String regex) {
        return Pattern.compile(regex).matcher(html).results().map(r -> r.group(1)).toList();
    }
}
