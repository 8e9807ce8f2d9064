package dev.wharf.runtime.bundle;

import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Docker's default seccomp profile in the OCI {@code linux.seccomp} form, already resolved for a
 * container that holds exactly {@link OciSpecBuilder#CAPABILITIES} (see {@code package-info.java}
 * for its origin). It is an allowlist: every syscall not named fails with {@code EPERM}.
 */
public final class SeccompProfiles {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SeccompProfiles() {
    }

    /**
     * A fresh copy of the profile for the architecture this JVM runs on; {@code UNAVAILABLE} on
     * any architecture but amd64 and aarch64.
     */
    public static ObjectNode forHost() {
        return forArch(System.getProperty("os.arch"));
    }

    /** @param osArch a value of the {@code os.arch} system property ({@code amd64}, {@code aarch64}) */
    static ObjectNode forArch(String osArch) {
        String file = switch (osArch) {
            case "amd64", "x86_64" -> "seccomp-amd64.json";
            case "aarch64", "arm64" -> "seccomp-arm64.json";
            default -> throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "no seccomp profile for host architecture "
                    + osArch + ": Wharf runs containers on amd64 and aarch64 hosts only");
        };
        try (InputStream in = SeccompProfiles.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "seccomp profile " + file + " is missing from the class path");
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "read seccomp profile " + file + ": " + e.getMessage(), e);
        }
    }
}
