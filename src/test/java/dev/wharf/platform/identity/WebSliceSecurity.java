package dev.wharf.platform.identity;

import dev.wharf.WharfSettings;
import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.Dates;
import dev.wharf.platform.web.Problems;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * For a {@code @WebMvcTest} slice: Wharf's real security (both filter chains of {@link SecurityConfiguration},
 * the token and session filters, the login throttle, problem documents) over mocked stores. Every slice mocks
 * the services that the web side's advice and interceptors need (users, tokens, the audit log, teams);
 * a test takes them with {@code @Autowired} and stubs them. {@link SliceCallers} signs requests in.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@EnableConfigurationProperties(WharfSettings.class)
@Import({SecurityConfiguration.class, LoginThrottle.class, RecentTokens.class, Problems.class, Dates.class, SliceCallers.class})
@MockitoBean(types = {UserRepository.class, TokenManagement.class, UserManagement.class, AuditLog.class, TeamManagement.class})
public @interface WebSliceSecurity {
}
