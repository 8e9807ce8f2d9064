package dev.wharf.platform.workload;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.SliceCallers;
import dev.wharf.platform.identity.WebSliceSecurity;
import dev.wharf.platform.web.WharfException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The container API's web side with the real security in front of a mocked {@link ContainerManagement}. */
@WebMvcTest(ContainerController.class)
@WebSliceSecurity
class ContainerControllerSliceTests {

    private static final Caller ANN = SliceCallers.member("ann");
    private static final String SPEC = "{\"command\":[\"sleep\",\"60\"],\"env\":{\"A\":\"1\"},\"workingDir\":\"/srv\",\"user\":null,"
            + "\"volumes\":null,\"network\":\"bridge\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\",\"hostIp\":null}]}";

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @MockitoBean
    ContainerManagement containers;

    @Test
    void aCreateAnswers201WithTheContainerAndItsLocation() throws Exception {
        Container created = new Container("c0ffee", 7L, null, "web", "busybox:1.36", SPEC, 0.5, 64L << 20, 100L, RestartPolicy.parse("on-failure"),
                Container.DesiredState.RUNNING, "ann", Instant.parse("2026-12-07T10:00:00Z"));
        when(containers.create(any(), eq("blue"), any())).thenReturn(created);

        mvc.perform(post("/api/v1/teams/blue/containers").with(callers.token(ANN)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"web\",\"image\":\"busybox:1.36\",\"command\":[\"sleep\",\"60\"]}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/teams/blue/containers/web"))
                .andExpect(jsonPath("$.id").value("c0ffee"))
                .andExpect(jsonPath("$.name").value("web"))
                .andExpect(jsonPath("$.image").value("busybox:1.36"))
                .andExpect(jsonPath("$.command[1]").value("60"))
                .andExpect(jsonPath("$.env.A").value("1"))
                .andExpect(jsonPath("$.resources.cpus").value(0.5))
                .andExpect(jsonPath("$.resources.memory").value(64 << 20))
                .andExpect(jsonPath("$.restartPolicy").value("on-failure"))
                .andExpect(jsonPath("$.state").value("created"))
                .andExpect(jsonPath("$.network").value("bridge"))
                .andExpect(jsonPath("$.ports[0].hostPort").value(8080))
                .andExpect(jsonPath("$.volumes").isEmpty());
        verify(containers).create(eq(new Caller(ANN.id(), ANN.name(), false, "tok" + ANN.id())), eq("blue"), any());
    }

    @Test
    void anInvalidBodyIsA400ProblemNamingEachField() throws Exception {
        mvc.perform(post("/api/v1/teams/blue/containers").with(callers.token(ANN)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"Not_A_Label\",\"image\":\" \"}"))
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.type").value("/problems/invalid-argument"))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.instance").value("/api/v1/teams/blue/containers"))
                .andExpect(jsonPath("$.errors[?(@.field == 'name')].message").value(hasItem(containsString("must be a DNS label"))))
                .andExpect(jsonPath("$.errors[?(@.field == 'image')]").isNotEmpty());
        verifyNoInteractions(containers);
    }

    @Test
    void anUnknownFieldIsA400ProblemNamingIt() throws Exception {
        mvc.perform(post("/api/v1/teams/blue/containers").with(callers.token(ANN)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"web\",\"image\":\"busybox\",\"imagePullPolicy\":\"always\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("imagePullPolicy"));
        verifyNoInteractions(containers);
    }

    @Test
    void anotherTeamsContainerIsA404Problem() throws Exception {
        when(containers.get(any(), eq("red"), anyString())).thenThrow(WharfException.notFound("team \"red\" not found"));

        mvc.perform(get("/api/v1/teams/red/containers/web").with(callers.token(ANN)))
                .andExpect(status().isNotFound())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.type").value("/problems/not-found"))
                .andExpect(jsonPath("$.detail").value("team \"red\" not found"));
    }

    @Test
    void withoutCredentialsTheApiAnswers401WithAChallenge() throws Exception {
        mvc.perform(get("/api/v1/teams/blue/containers"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", containsString("Bearer realm=\"wharf\"")))
                .andExpect(jsonPath("$.type").value("/problems/unauthenticated"));
        mvc.perform(get("/api/v1/teams/blue/containers").header("Authorization", "Bearer wharf_nobody-knows-this"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail").value("invalid, expired or revoked API token"));
        verifyNoInteractions(containers);
    }

    @Test
    void aSessionMustSendTheCsrfTokenToChangeAnything() throws Exception {
        mvc.perform(post("/api/v1/teams/blue/containers/web/stop").with(callers.session(ANN)))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("/problems/permission-denied"))
                .andExpect(jsonPath("$.detail").value(containsString("CSRF")));
        verifyNoInteractions(containers);

        Container stopped = new Container("c0ffee", 7L, null, "web", "busybox", SPEC, null, null, null, RestartPolicy.parse("no"), Container.DesiredState.STOPPED, "ann",
                Instant.parse("2026-12-07T10:00:00Z"));
        when(containers.stop(any(), eq("blue"), eq("web"), any())).thenReturn(stopped);
        mvc.perform(post("/api/v1/teams/blue/containers/web/stop").with(callers.session(ANN)).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.desiredState").value("stopped"));
    }

    @Test
    void aNegativeTailIsA400ProblemForTheField() throws Exception {
        mvc.perform(get("/api/v1/teams/blue/containers/web/logs").param("tail", "-1").with(callers.token(ANN)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("tail"));
        verifyNoInteractions(containers);
    }

    @Test
    void aBadLabelFilterIsA400ForTheParameterBeforeAnythingIsRead() throws Exception {
        for (String filter : new String[] {"", "=x", "=", "bad key", "-app"}) {
            mvc.perform(get("/api/v1/teams/blue/containers").param("label", "app").param("label", filter).with(callers.token(ANN)))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("label"))
                    .andExpect(jsonPath("$.detail").value(containsString("label filter \"" + filter + "\"")));
        }
        verifyNoInteractions(containers);
    }

    @Test
    void aFilteredListIsNeverTheRememberedWholeListNorTheOtherWayRound() throws Exception {
        Container web = new Container("c0ffee01", 7L, null, "web", "busybox", withLabels("{\"tier\":\"web\",\"url\":\"a=b,c\"}"),
                null, null, null, RestartPolicy.parse("no"), Container.DesiredState.RUNNING, "ann", Instant.parse("2026-12-07T10:00:00Z"));
        Container db = new Container("c0ffee02", 7L, null, "db", "busybox", withLabels("{\"tier\":\"db\"}"),
                null, null, null, RestartPolicy.parse("no"), Container.DesiredState.RUNNING, "ann", Instant.parse("2026-12-07T10:00:00Z"));
        Container plain = new Container("c0ffee03", 7L, null, "plain", "busybox", SPEC, null, null, null, RestartPolicy.parse("no"),
                Container.DesiredState.RUNNING, "ann", Instant.parse("2026-12-07T10:00:00Z"));
        java.util.List<Container> all = java.util.List.of(db, plain, web);
        when(containers.listing(any(), eq("blue"), any())).thenReturn(new ContainerManagement.Listing(
                all.stream().map(c -> new Container.Key(c.getId(), 0, 0, null)).toList(), new java.util.HashMap<>()));
        when(containers.rows(any())).thenAnswer(call -> {
            java.util.List<String> ids = call.getArgument(0);
            return all.stream().filter(c -> ids.contains(c.getId())).collect(java.util.stream.Collectors.toMap(Container::getId, c -> c));
        });

        String[][] asked = {{}, {"tier"}, {}, {"tier=web"}, {"url=a=b,c"}, {"tier", "url"}, {"tier=db", "url"}, {}, {"nothing"}, {}};
        String[][] listed = {{"db", "plain", "web"}, {"db", "web"}, {"db", "plain", "web"}, {"web"}, {"web"}, {"web"}, {}, {"db", "plain", "web"},
                {}, {"db", "plain", "web"}};
        for (int i = 0; i < asked.length; i++) {
            var request = get("/api/v1/teams/blue/containers").with(callers.token(ANN));
            for (String filter : asked[i]) {
                request = request.param("label", filter);
            }
            mvc.perform(request).andExpect(status().isOk())
                    .andExpect(jsonPath("$[*].name").value(org.hamcrest.Matchers.is(java.util.Arrays.asList(listed[i]))))
                    .andExpect(jsonPath("$.length()").value(listed[i].length));
        }
    }

    private static String withLabels(String labels) {
        return SPEC.substring(0, SPEC.length() - 1) + ",\"labels\":" + labels + "}";
    }
}
