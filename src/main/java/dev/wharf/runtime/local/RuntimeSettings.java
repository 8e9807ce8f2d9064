package dev.wharf.runtime.local;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The runtime service's settings ({@code wharf.runtime.*}).
 *
 * @param dataDir       node state (containers, snapshots, runc state); defaults to {@code wharf.data-dir}
 * @param cgroupRoot    Wharf's cgroup root: relative to the runtime's own cgroup (default {@code wharf}) or absolute
 * @param cgroupMount   where the cgroup filesystems are mounted
 * @param idMapBase     first host uid/gid given to team 1; team n gets {@code base + (n-1)*65536} and the 65536 ids above
 * @param runc          runc binary (name on PATH or path)
 * @param conmon        conmon binary (name on PATH or path)
 * @param logMaxBytes   a container log's size cap; conmon starts the file afresh when it is reached
 * @param maxLayerBytes an image layer's largest uncompressed size (decompression-bomb guard)
 * @param maxImageBytes an image's largest uncompressed size, all layers together (also the limit of an imported archive)
 * @param maxLayerEntries the most entries (files, directories, links) an image layer may unpack to (inode-bomb guard)
 * @param maxImageEntries the most entries all layers of an image may unpack to together
 * @param insecureRegistries registries ({@code host:port}) pulled from over plain HTTP; all others need HTTPS
 *                           (bound from {@code wharf.registries.insecure}, a comma-separated list); they may also
 *                           resolve to private addresses
 * @param privateRegistries  registries ({@code host:port}, HTTPS) that pulls may reach although they resolve to loopback,
 *                           private, link-local or this host's own addresses, which pulls otherwise never reach
 *                           (bound from {@code wharf.registries.private}, a comma-separated list)
 * @param network       team networks: CNI plugin path, address pool, team subnet size, bridge prefix
 * @param init          the statically linked init bind-mounted read-only as PID 1 of containers that ask for
 *                      {@code init} (Debian's {@code tini} package); without it only those containers are refused
 */
@ConfigurationProperties("wharf.runtime")
public record RuntimeSettings(Path dataDir, @DefaultValue("wharf") String cgroupRoot,
        @DefaultValue("/sys/fs/cgroup") Path cgroupMount, @DefaultValue("1000000") long idMapBase,
        @DefaultValue("runc") String runc, @DefaultValue("conmon") String conmon,
        @DefaultValue("10485760") long logMaxBytes, @DefaultValue("8589934592") long maxLayerBytes,
        @DefaultValue("21474836480") long maxImageBytes, java.util.Set<String> insecureRegistries,
        dev.wharf.runtime.network.NetworkSettings network, @DefaultValue("500000") long maxLayerEntries,
        @DefaultValue("1000000") long maxImageEntries, java.util.Set<String> privateRegistries,
        @DefaultValue(RuntimeSettings.DEFAULT_INIT) Path init) {

    /** Where Debian's {@code tini} package puts its static build. */
    public static final String DEFAULT_INIT = "/usr/bin/tini-static";

    /** Settings without private registries. */
    public RuntimeSettings(Path dataDir, String cgroupRoot, Path cgroupMount, long idMapBase, String runc, String conmon,
            long logMaxBytes, long maxLayerBytes, long maxImageBytes, java.util.Set<String> insecureRegistries,
            dev.wharf.runtime.network.NetworkSettings network, long maxLayerEntries, long maxImageEntries) {
        this(dataDir, cgroupRoot, cgroupMount, idMapBase, runc, conmon, logMaxBytes, maxLayerBytes, maxImageBytes, insecureRegistries,
                network, maxLayerEntries, maxImageEntries, null);
    }

    /** Settings with the default init. */
    public RuntimeSettings(Path dataDir, String cgroupRoot, Path cgroupMount, long idMapBase, String runc, String conmon,
            long logMaxBytes, long maxLayerBytes, long maxImageBytes, java.util.Set<String> insecureRegistries,
            dev.wharf.runtime.network.NetworkSettings network, long maxLayerEntries, long maxImageEntries,
            java.util.Set<String> privateRegistries) {
        this(dataDir, cgroupRoot, cgroupMount, idMapBase, runc, conmon, logMaxBytes, maxLayerBytes, maxImageBytes, insecureRegistries,
                network, maxLayerEntries, maxImageEntries, privateRegistries, null);
    }

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public RuntimeSettings {
        network = network == null ? dev.wharf.runtime.network.NetworkSettings.DEFAULTS : network;
        insecureRegistries = insecureRegistries == null ? java.util.Set.of()
                : insecureRegistries.stream().map(String::strip).filter(r -> !r.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        privateRegistries = privateRegistries == null ? java.util.Set.of()
                : privateRegistries.stream().map(String::strip).filter(r -> !r.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        init = init == null ? Path.of(DEFAULT_INIT) : init;
    }
}
