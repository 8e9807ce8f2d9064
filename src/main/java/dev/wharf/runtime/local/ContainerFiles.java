package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.bundle.BundleRequest;
import dev.wharf.runtime.bundle.OciSpecBuilder;
import dev.wharf.runtime.bundle.ProcessUser;
import dev.wharf.runtime.cgroup.CgroupManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a container's bundle beside its root filesystem: {@code bundle/config.json} (the
 * OCI spec, private: it holds the environment) and the {@code hosts}, {@code hostname} and
 * {@code resolv.conf} bind-mounted into the container (and, for a container that asks for one, the
 * host's init, see {@link InitBinary}). A team's hosts files name all its containers that are on
 * the team network.
 */
final class ContainerFiles {

    private static final Logger log = LoggerFactory.getLogger(ContainerFiles.class);
    private static final String LOCALHOST = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    private final ContainerStore store;
    private final CgroupManager cgroups;
    private final TeamVolumes volumes;
    private final InitBinary init;
    private final OciSpecBuilder bundles = new OciSpecBuilder();
    /** held while rewriting a team's hosts files */
    private final Object hostsLock = new Object();

    ContainerFiles(ContainerStore store, CgroupManager cgroups, TeamVolumes volumes, InitBinary init) {
        this.store = store;
        this.cgroups = cgroups;
        this.volumes = volumes;
        this.init = init;
    }

    /**
     * Writes the name files and the OCI spec of a container being created in {@code dir}, its root
     * filesystem mounted: the spec's user is resolved in that root's {@code /etc/passwd} and
     * {@code /etc/group} ({@link ImageUsers}).
     */
    void writeBundle(ContainerRecord record, Path dir, IdMapping ids) {
        ContainerSpec spec = record.spec;
        ProcessUser user = ImageUsers.resolve(RootFilesystems.of(dir), spec.user(), describe(spec.rootfs()));
        Path hosts = dir.resolve("hosts");
        Path hostname = dir.resolve("hostname");
        Path resolv = dir.resolve("resolv.conf");
        PrivateTrees.writeFile(hosts, PrivateTrees.READABLE_FILE, LOCALHOST + "127.0.1.1\t" + spec.name() + "\n");
        PrivateTrees.writeFile(hostname, PrivateTrees.READABLE_FILE, spec.name() + "\n");
        PrivateTrees.writeFile(resolv, PrivateTrees.READABLE_FILE, hostResolvConf());
        List<BundleRequest.VolumeBind> binds = spec.volumes().stream()
                .map(v -> new BundleRequest.VolumeBind(volumes.dir(spec.teamId(), v.name()), v.path(), v.readOnly())).toList();
        String config = bundles.json(new BundleRequest(spec, user, ids,
                cgroups.containerCgroupsPath(spec.teamId(), spec.id()), hosts, resolv, hostname, binds, init.forSpec(spec)));
        PrivateTrees.writeFile(dir.resolve("bundle").resolve("config.json"), PrivateTrees.PRIVATE_FILE, config);
    }

    /** How messages name a container's root filesystem: {@code image sha256:…} or {@code rootfs directory /…}. */
    private static String describe(Rootfs rootfs) {
        return rootfs instanceof Rootfs.Image image ? "image " + image.digest()
                : "rootfs directory " + ((Rootfs.Directory) rootfs).path();
    }

    private static String hostResolvConf() {
        try {
            return Files.exists(Path.of("/etc/resolv.conf")) ? Files.readString(Path.of("/etc/resolv.conf")) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Rewrites the hosts file of every container of the team (in place: it is bind-mounted) so
     * each finds the others by name and aliases.
     */
    void refreshHosts(long teamId) {
        synchronized (hostsLock) {
            List<ContainerRecord> team = store.ofTeam(teamId).sorted(Comparator.comparing(r -> r.spec.name())).toList();
            for (ContainerRecord record : team) {
                StringBuilder hosts = new StringBuilder(LOCALHOST);
                String own = record.ipAddress;
                hosts.append(own == null ? "127.0.1.1" : own).append('\t').append(names(record.spec)).append('\n');
                for (ContainerRecord peer : team) {
                    String address = peer.ipAddress;
                    if (peer != record && address != null) {
                        hosts.append(address).append('\t').append(names(peer.spec)).append('\n');
                    }
                }
                Path file = store.dirOf(record.spec.id()).resolve("hosts");
                try {
                    Files.writeString(file, hosts, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } catch (NoSuchFileException gone) {
                    // being created or removed
                } catch (IOException e) {
                    log.warn("cannot update {}: {}", file, e.getMessage());
                }
            }
        }
    }

    private static String names(ContainerSpec spec) {
        return spec.network().aliases().isEmpty() ? spec.name() : spec.name() + " " + String.join(" ", spec.network().aliases());
    }
}
