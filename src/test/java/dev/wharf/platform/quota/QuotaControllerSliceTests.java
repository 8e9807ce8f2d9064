package dev.wharf.platform.quota;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.SliceCallers;
import dev.wharf.platform.identity.WebSliceSecurity;
import dev.wharf.platform.quota.QuotaAdmission.Amounts;
import dev.wharf.platform.quota.QuotaAdmission.DefaultResources;
import dev.wharf.platform.quota.QuotaAdmission.QuotaView;
import dev.wharf.platform.web.WharfException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The quota API's web side: quantities in, bytes out, bad quantities refused before the rules see them. */
@WebMvcTest(QuotaController.class)
@WebSliceSecurity
class QuotaControllerSliceTests {

    private static final Caller ROOT = SliceCallers.admin("root");
    private static final Caller ANN = SliceCallers.member("ann");
    private static final QuotaView VIEW = new QuotaView(new Amounts(4.0, 8L << 30, 1000L, 20L, null),
            new Amounts(1.5, 1L << 30, 42L, 3L, 123L), new DefaultResources(0.5, 256L << 20, 100L), true);

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @MockitoBean
    QuotaAdmission quotas;

    @Test
    void aMemberReadsLimitsUsageAndDefaultsInBytes() throws Exception {
        when(quotas.view(any(), eq("blue"))).thenReturn(VIEW);

        mvc.perform(get("/api/v1/teams/blue/quota").with(callers.token(ANN)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.limits.cpus").value(4.0))
                .andExpect(jsonPath("$.limits.memory").value(8L << 30))
                .andExpect(jsonPath("$.limits.storage").doesNotExist())
                .andExpect(jsonPath("$.usage.containers").value(3))
                .andExpect(jsonPath("$.defaults.memory").value(256 << 20))
                .andExpect(jsonPath("$.outbound").value(true));
    }

    @Test
    void limitsAreTakenAsQuantities() throws Exception {
        when(quotas.setLimits(any(), eq("blue"), any(), any())).thenReturn(VIEW);

        mvc.perform(put("/api/v1/teams/blue/quota").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"cpus\":4,\"memory\":\"8Gi\",\"pids\":1000,\"containers\":20,\"storage\":\"1.5Gi\",\"outbound\":false}"))
                .andExpect(status().isOk());

        verify(quotas).setLimits(any(), eq("blue"), eq(new Amounts(4.0, 8L << 30, 1000L, 20L, 3L << 29)), eq(false));
    }

    @Test
    void missingLimitsAreUnlimitedAndOutboundUnchanged() throws Exception {
        when(quotas.setLimits(any(), eq("blue"), any(), any())).thenReturn(VIEW);

        mvc.perform(put("/api/v1/teams/blue/quota").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isOk());

        verify(quotas).setLimits(any(), eq("blue"), eq(new Amounts(null, null, null, null, null)), isNull());
    }

    @Test
    void aBadQuantityIsA400ProblemNamingItsField() throws Exception {
        mvc.perform(put("/api/v1/teams/blue/quota").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"memory\":\"8GB\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/invalid-argument"))
                .andExpect(jsonPath("$.errors[0].field").value("memory"))
                .andExpect(jsonPath("$.detail").value("memory must be a byte count or a number with Ki, Mi, Gi or Ti, like \"256Mi\"; got \"8GB\""));
        mvc.perform(put("/api/v1/teams/blue/quota/defaults").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"cpus\":-1}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("cpus"));
        mvc.perform(put("/api/v1/teams/blue/quota").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"pids\":\"many\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("pids"));
        verifyNoInteractions(quotas);
    }

    @Test
    void defaultsAreTakenAsQuantities() throws Exception {
        when(quotas.setDefaults(any(), eq("blue"), any())).thenReturn(VIEW);

        mvc.perform(put("/api/v1/teams/blue/quota/defaults").with(callers.token(ROOT)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"cpus\":0.25,\"memory\":\"128Mi\"}"))
                .andExpect(status().isOk());

        verify(quotas).setDefaults(any(), eq("blue"), eq(new DefaultResources(0.25, 128L << 20, null)));
    }

    @Test
    void aRefusalOfTheRulesIsTheirProblem() throws Exception {
        when(quotas.setLimits(any(), eq("blue"), any(), any())).thenThrow(WharfException.forbidden("only platform admins can set quotas"));

        mvc.perform(put("/api/v1/teams/blue/quota").with(callers.token(ANN)).contentType(MediaType.APPLICATION_JSON).content("{\"pids\":1}"))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("/problems/permission-denied"))
                .andExpect(jsonPath("$.detail").value("only platform admins can set quotas"));
    }

    @Test
    void withoutCredentialsNothingIsRead() throws Exception {
        mvc.perform(get("/api/v1/teams/blue/quota")).andExpect(status().isUnauthorized());
        verifyNoInteractions(quotas);
    }
}
