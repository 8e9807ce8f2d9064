package dev.wharf.runtime.api;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image on this node.
 *
 * @param digest     the manifest digest ({@code sha256:…}) that identifies the image
 * @param references the names it was pulled or imported as ({@code 127.0.0.1:5000/team/app:1})
 * @param layers     layer blob digests, base first
 * @param sizeBytes  the layers' size as stored (compressed)
 * @param config     the defaults a container of this image starts with
 */
public record ImageInfo(String digest, List<String> references, List<String> layers, long sizeBytes, ImageConfig config,
        Instant addedAt) {

    /**
     * From the image's config: what to run, and how, when a container does not say
     * ({@link ContainerDefaults} merges it with a container request). Absent fields are null or empty.
     *
     * @param env          {@code KEY=VALUE} strings, as the image lists them
     * @param user         as the image gives it: {@code uid[:gid]}, or a user name
     * @param stopSignal   as the image gives it ({@code SIGQUIT}), not yet checked
     * @param exposedPorts the ports the image says it listens on ({@code 80/tcp}), sorted
     * @param labels       the image's labels, sorted by key
     * @param healthCheck  the image's {@code HEALTHCHECK}, or null when it has none (or {@code NONE}, or one this runtime cannot run)
     */
    public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
            String stopSignal, List<String> exposedPorts, Map<String, String> labels, HealthCheck healthCheck) {
        public ImageConfig {
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
            exposedPorts = exposedPorts == null ? List.of() : exposedPorts.stream().sorted().toList();
            labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        }

        /** A config without labels or health check. */
        public ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                String stopSignal, List<String> exposedPorts) {
            this(entrypoint, cmd, env, workingDir, user, stopSignal, exposedPorts, Map.of(), null);
        }
    }
}
