package dev.wharf.platform.audit;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.SliceCallers;
import dev.wharf.platform.identity.WebSliceSecurity;
import dev.wharf.platform.web.WharfException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.test.web.servlet.MockMvc;

/** The audit API's web side: its query parameters checked, events written out whole, the rules' refusals as problems. */
@WebMvcTest(AuditController.class)
@WebSliceSecurity
class AuditControllerSliceTests {

    private static final Caller ROOT = SliceCallers.admin("root");
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @Autowired
    AuditLog audit;

    @Test
    void eventsAreReadForTheQuery() throws Exception {
        AuditEvent event = new AuditEvent(AT, "ann", "token", "t1", "POST /api/v1/teams/{team}/containers",
                "/api/v1/teams/blue/containers/web", "blue", 7L, "127.0.0.1", "success", 201, null);
        ReflectionTestUtils.setField(event, "id", 42L);
        when(audit.read(any(), eq("blue"), eq(AT), eq(5))).thenReturn(List.of(event));

        mvc.perform(get("/api/v1/audit").param("team", "blue").param("since", "2026-12-07T10:00:00Z").param("limit", "5")
                        .with(callers.token(ROOT)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].id").value(42))
                .andExpect(jsonPath("$[0].time").value("2026-12-07T10:00:00Z"))
                .andExpect(jsonPath("$[0].actor").value("ann"))
                .andExpect(jsonPath("$[0].tokenId").value("t1"))
                .andExpect(jsonPath("$[0].action").value("POST /api/v1/teams/{team}/containers"))
                .andExpect(jsonPath("$[0].teamId").value(7))
                .andExpect(jsonPath("$[0].status").value(201));
    }

    @Test
    void theDefaultsAreAllTeamsAllTimesAHundredEvents() throws Exception {
        when(audit.read(any(), any(), any(), anyInt())).thenReturn(List.of());

        mvc.perform(get("/api/v1/audit").with(callers.token(ROOT))).andExpect(status().isOk()).andExpect(jsonPath("$").isEmpty());

        verify(audit).read(eq(new Caller(ROOT.id(), ROOT.name(), true, "tok" + ROOT.id())), isNull(), isNull(), eq(100));
    }

    @Test
    void unreadableParametersAre400Problems() throws Exception {
        mvc.perform(get("/api/v1/audit").param("since", "yesterday").with(callers.token(ROOT)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("parameter \"since\" has an invalid value \"yesterday\""));
        mvc.perform(get("/api/v1/audit").param("limit", "all").with(callers.token(ROOT)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/invalid-argument"));
    }

    @Test
    void theRulesRefusalIsAProblem() throws Exception {
        when(audit.read(any(), eq("blue"), any(), anyInt()))
                .thenThrow(WharfException.forbidden("only the team's owners and platform admins read its audit log"));

        mvc.perform(get("/api/v1/audit").param("team", "blue").with(callers.token(SliceCallers.member("ann"))))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value("only the team's owners and platform admins read its audit log"));
    }

    @Test
    void withoutCredentialsItIs401() throws Exception {
        mvc.perform(get("/api/v1/audit")).andExpect(status().isUnauthorized()).andExpect(jsonPath("$.status").value(401));
    }
}
