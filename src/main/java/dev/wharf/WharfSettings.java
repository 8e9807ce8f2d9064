package dev.wharf;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Top-level settings ({@code wharf.*}).
 *
 * @param mode     which parts run in this process: {@code all} (control plane and runtime, H2), {@code server}, {@code node}
 * @param dataDir  where the H2 database, the runtime's state and the initial admin password file live
 * @param security API authentication switches
 */
@ConfigurationProperties("wharf")
public record WharfSettings(@DefaultValue("all") Mode mode, @DefaultValue("/var/lib/wharf") Path dataDir,
        @DefaultValue Security security) {

    public enum Mode { ALL, SERVER, NODE }

    /**
     * @param apiBasicAuth whether {@code /api/**} accepts HTTP Basic with a username and password (Bearer tokens always work)
     * @param localLogin   who may log in with a Wharf password (login form and HTTP Basic): everyone, only platform admins, or nobody
     */
    public record Security(@DefaultValue("true") boolean apiBasicAuth, @DefaultValue("all") LocalLogin localLogin) {
    }

    /** {@code wharf.security.local-login}: who may log in with a Wharf password. */
    public enum LocalLogin { ALL, ADMINS_ONLY, OFF }
}
