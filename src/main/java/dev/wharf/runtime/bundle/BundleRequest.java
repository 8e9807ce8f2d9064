package dev.wharf.runtime.bundle;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@link OciSpecBuilder} needs to write one container's {@code config.json}.
 *
 * @param spec           what the team asked to run
 * @param user           the ids its process runs with (the spec's user resolved in its root filesystem)
 * @param ids            the team's host id slice; container ids {@code 0..size-1} map onto it
 * @param cgroupsPath    the container's cgroup, relative to the runtime's own cgroup
 *                       ({@code wharf/team-1/ctr-3f2a}) or absolute
 * @param hostsFile      host file mounted read-only at {@code /etc/hosts}, or {@code null}
 * @param resolvConfFile host file mounted read-only at {@code /etc/resolv.conf}, or {@code null}
 * @param hostnameFile   host file mounted read-only at {@code /etc/hostname}, or {@code null}
 * @param volumes        the team's volume directories the runtime resolved for the spec's volume mounts
 * @param init           the host's statically linked init, bound read-only at {@link OciSpecBuilder#INIT_PATH} when
 *                       the spec asks for one ({@code null} otherwise)
 */
public record BundleRequest(ContainerSpec spec, ProcessUser user, IdMapping ids, String cgroupsPath, Path hostsFile,
        Path resolvConfFile, Path hostnameFile, List<VolumeBind> volumes, Path init) {

    /** A team volume's directory on the host, bound at a path in the container. */
    public record VolumeBind(Path source, String destination, boolean readOnly) {
    }

    /** A request without volumes. */
    public BundleRequest(ContainerSpec spec, ProcessUser user, IdMapping ids, String cgroupsPath, Path hostsFile, Path resolvConfFile,
            Path hostnameFile) {
        this(spec, user, ids, cgroupsPath, hostsFile, resolvConfFile, hostnameFile, List.of());
    }

    /** A request for a spec without init. */
    public BundleRequest(ContainerSpec spec, ProcessUser user, IdMapping ids, String cgroupsPath, Path hostsFile, Path resolvConfFile,
            Path hostnameFile, List<VolumeBind> volumes) {
        this(spec, user, ids, cgroupsPath, hostsFile, resolvConfFile, hostnameFile, volumes, null);
    }

    public BundleRequest {
        if (spec == null || user == null || ids == null) {
            throw RuntimeFailure.invalid("a bundle needs a container spec, its user and an id mapping");
        }
        if (cgroupsPath == null || cgroupsPath.isBlank() || List.of(cgroupsPath.split("/")).contains("..")) {
            throw RuntimeFailure.invalid("bundle of " + spec.id() + ": cgroupsPath must be a plain cgroup path, got " + cgroupsPath);
        }
        requireAbsolute(spec, hostsFile);
        requireAbsolute(spec, resolvConfFile);
        requireAbsolute(spec, hostnameFile);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        volumes.forEach(v -> requireAbsolute(spec, v.source()));
        if (spec.options().init() && init == null) {
            throw RuntimeFailure.invalid("bundle of " + spec.id() + ": the container asks for an init, and none was given");
        }
        requireAbsolute(spec, init);
    }

    private static void requireAbsolute(ContainerSpec spec, Path file) {
        if (file != null && !file.isAbsolute()) {
            throw RuntimeFailure.invalid("bundle of " + spec.id() + ": mounted files need absolute host paths, got " + file);
        }
    }
}
