package dev.wharf.platform.identity;

import java.util.List;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * Another way in than a Wharf password (single sign-on): it adds to the security chains that
 * {@code SecurityConfiguration} builds and shows its buttons on the login page.
 */
public interface ExternalLogin {

    /** The session attribute under which a refused login leaves its reason for the login page (read once). */
    String REFUSAL_ATTRIBUTE = ExternalLogin.class.getName() + ".refusal";

    /** A button on the login page. */
    record Button(String id, String label, String url) {
    }

    List<Button> buttons();

    /** Authentication providers the dashboard's login needs besides passwords. */
    default List<AuthenticationProvider> dashboardProviders() {
        return List.of();
    }

    /** Adds to the dashboard chain (login and logout). */
    default void dashboard(HttpSecurity http) throws Exception {
    }

    /** Adds to the {@code /api/**} chain (a filter for other credentials). */
    default void api(HttpSecurity http) throws Exception {
    }
}
