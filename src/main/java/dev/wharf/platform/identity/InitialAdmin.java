package dev.wharf.platform.identity;

import dev.wharf.WharfSettings;
import dev.wharf.platform.web.WharfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * First start: with no users at all, creates the platform admin {@code admin}. Its password is
 * {@code WHARF_ADMIN_PASSWORD} when set (it must pass the {@link PasswordRule}, or the first start
 * stops with that rule's sentence), otherwise random and written to
 * {@code <data dir>/initial-admin-password} (mode 0600, created so before the password is in it).
 * The log names the file, never the password: logs are kept and shipped where the password must not go.
 */
@Component
@Order(0)
class InitialAdmin implements ApplicationRunner {

    static final String NAME = "admin";
    static final String PASSWORD_FILE = "initial-admin-password";
    private static final Logger log = LoggerFactory.getLogger(InitialAdmin.class);

    private final UserManagement users;
    private final WharfSettings settings;
    private final String configuredPassword;

    InitialAdmin(UserManagement users, WharfSettings settings, @Value("${WHARF_ADMIN_PASSWORD:}") String configuredPassword) {
        this.users = users;
        this.settings = settings;
        this.configuredPassword = configuredPassword;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        boolean generated = configuredPassword.isBlank();
        String password = generated ? randomPassword() : configuredPassword;
        try {
            if (!users.createFirstAdmin(NAME, password)) {
                return;
            }
        } catch (WharfException e) {
            throw new IllegalStateException("WHARF_ADMIN_PASSWORD cannot be the first admin's password: " + e.getMessage(), e);
        }
        if (!generated) {
            log.info("Created the platform admin \"{}\" with the password from WHARF_ADMIN_PASSWORD", NAME);
            return;
        }
        Path file = settings.dataDir().resolve(PASSWORD_FILE);
        Files.createDirectories(settings.dataDir());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        log.warn("Created the platform admin \"{}\"; its password is in {} (mode 0600); change it after logging in",
                NAME, file.toAbsolutePath());
    }

    private static String randomPassword() {
        SecureRandom random = new SecureRandom();
        while (true) {
            byte[] bytes = new byte[18];
            random.nextBytes(bytes);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (PasswordRule.problem(NAME, password).isEmpty()) { // 144 random bits all but always are
                return password;
            }
        }
    }
}
