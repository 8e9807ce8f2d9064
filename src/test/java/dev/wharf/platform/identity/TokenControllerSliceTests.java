package dev.wharf.platform.identity;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wharf.platform.identity.TokenManagement.CreatedToken;
import dev.wharf.platform.identity.TokenManagement.TokenView;
import dev.wharf.platform.web.WharfException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** The token API's web side: the secret shown once at creation, checked input, a session's tokens behind CSRF. */
@WebMvcTest(TokenController.class)
@WebSliceSecurity
class TokenControllerSliceTests {

    private static final Caller ANN = SliceCallers.member("ann");
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @Autowired
    TokenManagement tokens;

    @Test
    void aCreatedTokenIsAnswered201WithItsSecretAndLocation() throws Exception {
        when(tokens.create(any(), eq("ci"), eq(30))).thenReturn(new CreatedToken("t1", "ci", "wharf_s3cret", NOW.plusSeconds(30 * 86400)));

        mvc.perform(post("/api/v1/tokens").with(callers.session(ANN)).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ci\",\"expiresInDays\":30}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/tokens/t1"))
                .andExpect(jsonPath("$.token").value("wharf_s3cret"))
                .andExpect(jsonPath("$.expiresAt").value("2027-01-06T10:00:00Z"));
        verify(tokens).create(eq(ANN), eq("ci"), eq(30));
    }

    @Test
    void aNamelessOrEverlastingTokenIsA400ProblemNamingTheFields() throws Exception {
        mvc.perform(post("/api/v1/tokens").with(callers.token(ANN)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\" \",\"expiresInDays\":3651}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field").value(org.hamcrest.Matchers.containsInAnyOrder("name", "expiresInDays")));
        verify(tokens, never()).create(any(), anyString(), any());
    }

    @Test
    void theListHasNoSecrets() throws Exception {
        when(tokens.list(any())).thenReturn(List.of(new TokenView("t1", "ci", NOW, null, NOW.plusSeconds(5))));

        mvc.perform(get("/api/v1/tokens").with(callers.token(ANN)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].id").value("t1"))
                .andExpect(jsonPath("$[0].lastUsedAt").value("2026-12-07T10:00:05Z"))
                .andExpect(jsonPath("$[0].token").doesNotExist());
    }

    @Test
    void revokingAnswers204OrTheRulesProblem() throws Exception {
        mvc.perform(delete("/api/v1/tokens/t1").with(callers.token(ANN))).andExpect(status().isNoContent());
        verify(tokens).revoke(any(), eq("t1"));

        org.mockito.Mockito.doThrow(WharfException.notFound("token \"t2\" not found")).when(tokens).revoke(any(), eq("t2"));
        mvc.perform(delete("/api/v1/tokens/t2").with(callers.token(ANN)))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("token \"t2\" not found"));
    }

    @Test
    void aSessionWithoutItsCsrfTokenCannotMakeATokenNorCanAStranger() throws Exception {
        mvc.perform(post("/api/v1/tokens").with(callers.session(ANN)).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"ci\"}"))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("/problems/permission-denied"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("CSRF")));
        // without a token, a request is a browser's: the CSRF check comes first
        mvc.perform(post("/api/v1/tokens").contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"ci\"}"))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/v1/tokens").with(csrf()).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"ci\"}"))
                .andExpect(status().isUnauthorized());
        verify(tokens, never()).create(any(), anyString(), any());
    }
}
