package dev.wharf.platform.identity;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.WharfException;
import java.time.Instant;
import java.util.Optional;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * Signs a slice test's request in as a caller, the way the real filters see one: an API token the
 * (mocked) token store knows, or a dashboard session whose user the (mocked) user store still has.
 */
public class SliceCallers {

    private static final Instant PASSWORD_CHANGED = Instant.parse("2026-12-01T09:00:00.123Z");

    private final TokenManagement tokens;
    private final UserRepository users;
    private final TeamManagement teams;

    SliceCallers(TokenManagement tokens, UserRepository users, TeamManagement teams) {
        this.tokens = tokens;
        this.users = users;
        this.teams = teams;
    }

    /** A plain user (id 1). */
    public static Caller member(String name) {
        return new Caller(1, name, false, null);
    }

    /** A platform admin (id 99). */
    public static Caller admin(String name) {
        return new Caller(99, name, true, null);
    }

    /** {@code Authorization: Bearer wharf_…} with a token the store answers with this caller (no CSRF token needed). */
    public RequestPostProcessor token(Caller caller) {
        String secret = TokenManagement.PREFIX + "slice-" + caller.id();
        Caller holder = new Caller(caller.id(), caller.name(), caller.admin(), "tok" + caller.id());
        when(tokens.authenticate(TokenManagement.hash(secret))).thenReturn(Optional.of(new RecentTokens.Holder(holder, null)));
        noTeams();
        return request -> {
            request.addHeader("Authorization", "Bearer " + secret);
            return request;
        };
    }

    /** A dashboard session of this caller, whose user is still in the store as the caller says. */
    public RequestPostProcessor session(Caller caller) {
        return session(caller, caller.admin());
    }

    /**
     * A dashboard session that logged in with {@code adminAtLogin}, whose user the store now has as the caller
     * says (an admin demoted since, for example).
     */
    public RequestPostProcessor session(Caller caller, boolean adminAtLogin) {
        when(users.findById(caller.id())).thenReturn(Optional.of(account(caller)));
        noTeams();
        return user(new WharfUser(caller.id(), caller.name(), null, adminAtLogin, null, PASSWORD_CHANGED));
    }

    /**
     * The audit interceptor asks which team a mutating request's route names: none that the caller is in, so its
     * events go to the platform's log (a test that needs a team stubs {@code require} with {@code doReturn}).
     */
    private void noTeams() {
        doThrow(WharfException.notFound("no teams in a web slice")).when(teams).require(any(), anyString(), any());
    }

    /** A user row as the store would hand it out. */
    public static UserAccount account(Caller caller) {
        UserAccount account = new UserAccount(caller.name(), "{noop}unused", caller.admin(), PASSWORD_CHANGED);
        ReflectionTestUtils.setField(account, "id", caller.id());
        return account;
    }
}
