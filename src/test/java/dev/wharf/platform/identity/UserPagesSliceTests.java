package dev.wharf.platform.identity;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.view;

import dev.wharf.platform.web.WharfException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

/** The users admin pages: admins only, forms behind CSRF, refusals shown in the page. */
@WebMvcTest(UserPages.class)
@WebSliceSecurity
class UserPagesSliceTests {

    private static final Caller ROOT = SliceCallers.admin("root");
    private static final Caller ANN = SliceCallers.member("ann");

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceCallers callers;

    @Autowired
    UserManagement users;

    @Test
    void anAdminSeesTheUsers() throws Exception {
        when(users.list(any())).thenReturn(List.of(SliceCallers.account(ROOT), SliceCallers.account(ANN)));

        mvc.perform(get("/admin/users").with(callers.session(ROOT)))
                .andExpect(status().isOk())
                .andExpect(view().name("admin/users"))
                .andExpect(content().string(containsString("data-user=\"ann\"")))
                .andExpect(content().string(containsString("Make admin")))
                .andExpect(content().string(containsString("name=\"_csrf\"")));
        verify(users).list(ROOT);
    }

    @Test
    void aMemberIsRefusedAndAStrangerSentToLogIn() throws Exception {
        mvc.perform(get("/admin/users").with(callers.session(ANN))).andExpect(status().isForbidden());
        mvc.perform(get("/admin/users")).andExpect(status().isFound()).andExpect(redirectedUrl("/login"));
        verify(users, never()).list(any());
    }

    @Test
    void anAdminDemotedSinceLoginIsRefusedAtTheNextRequest() throws Exception {
        mvc.perform(get("/admin/users").with(callers.session(SliceCallers.member("ex-admin"), true))).andExpect(status().isForbidden());
        verify(users, never()).list(any());
    }

    @Test
    void anApiTokenDoesNotOpenTheDashboard() throws Exception {
        mvc.perform(get("/admin/users").with(callers.token(ROOT))).andExpect(status().isFound())
                .andExpect(redirectedUrl("/login"));
        verify(users, never()).list(any());
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefused() throws Exception {
        mvc.perform(post("/admin/users").with(callers.session(ROOT)).param("name", "bob").param("password", "a long enough password"))
                .andExpect(status().isForbidden());
        mvc.perform(post("/admin/users/ann/delete").with(callers.session(ROOT))).andExpect(status().isForbidden());
        verify(users, never()).create(any(), anyString(), anyString(), anyBoolean());
        verify(users, never()).delete(any(), anyString());
    }

    @Test
    void aCreatedUserIsNoticedOnTheNextPage() throws Exception {
        mvc.perform(post("/admin/users").with(callers.session(ROOT)).with(csrf())
                        .param("name", "bob").param("password", "a long enough password").param("admin", "true"))
                .andExpect(status().isFound())
                .andExpect(redirectedUrl("/admin/users"))
                .andExpect(flash().attribute("notice", "User bob created."));
        verify(users).create(ROOT, "bob", "a long enough password", true);
    }

    @Test
    void aRefusalIsShownOnTheNextPage() throws Exception {
        doThrow(WharfException.forbidden("you cannot remove your own admin flag")).when(users).update(any(), eq("root"), any(), eq(false));

        mvc.perform(post("/admin/users/root/admin").with(callers.session(ROOT)).with(csrf()).param("admin", "false"))
                .andExpect(status().isFound())
                .andExpect(redirectedUrl("/admin/users"))
                .andExpect(flash().attribute("error", "you cannot remove your own admin flag"));
    }

    @Test
    void aMemberCannotPostTheFormsEither() throws Exception {
        mvc.perform(post("/admin/users/ann/delete").with(callers.session(ANN)).with(csrf())).andExpect(status().isForbidden());
        verify(users, never()).delete(any(), anyString());
    }
}
