package dev.wharf.platform.docker;

import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.volume.VolumeManagement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code docker info} and {@code docker system df}, for the caller's team: the machine a Docker client
 * sees is the team's share of Wharf (its quota as CPUs and memory; the fleet's capacity where the team
 * has no limit), its containers, images and volumes.
 */
@DockerController
class SystemInfo {

    private final DockerIds ids;
    private final DockerImages images;
    private final QuotaAdmission quotas;
    private final NodeRegistry nodes;
    private final VolumeManagement volumes;
    private final String wharfVersion;

    SystemInfo(DockerIds ids, DockerImages images, QuotaAdmission quotas, NodeRegistry nodes, VolumeManagement volumes,
            ObjectProvider<BuildProperties> build) {
        this.ids = ids;
        this.images = images;
        this.quotas = quotas;
        this.nodes = nodes;
        this.volumes = volumes;
        BuildProperties properties = build.getIfAvailable();
        this.wharfVersion = properties == null ? "dev" : properties.getVersion();
    }

    @GetMapping("/info")
    Map<String, Object> info(DockerCaller caller) {
        QuotaAdmission.QuotaView quota = quotas.view(caller.caller(), caller.team());
        List<NodeRegistry.Node> up = nodes.nodes().stream().filter(n -> "up".equals(n.state())).toList();
        int fleetCpus = up.stream().mapToInt(n -> n.capacity().cpus()).sum();
        long fleetMemory = up.stream().mapToLong(n -> n.capacity().memoryBytes()).sum();
        Double cpuLimit = quota.limits().cpus();
        Long memoryLimit = quota.limits().memory();
        List<DockerIds.ContainerUse> containers = ids.containers(caller);
        long running = containers.stream().filter(c -> c.state().equals("running") || c.state().equals("restarting")).count();
        String cgroup = up.stream().map(NodeRegistry.Node::cgroupVersion).filter(v -> v != null).findFirst().orElse("2");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("ID", "wharf:" + caller.team());
        info.put("Containers", containers.size());
        info.put("ContainersRunning", running);
        info.put("ContainersPaused", 0);
        info.put("ContainersStopped", containers.size() - running);
        info.put("Images", images.list(caller).size());
        info.put("Driver", "overlay2");
        info.put("DriverStatus", List.of());
        info.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("bridge"), "Authorization", List.of(),
                "Log", List.of("json-file")));
        info.put("MemoryLimit", true);
        info.put("SwapLimit", false);
        info.put("CpuCfsPeriod", true);
        info.put("CpuCfsQuota", true);
        info.put("CPUShares", true);
        info.put("CPUSet", false);
        info.put("PidsLimit", true);
        info.put("OomKillDisable", false);
        info.put("IPv4Forwarding", true);
        info.put("BridgeNfIptables", true);
        info.put("BridgeNfIp6tables", true);
        info.put("Debug", false);
        info.put("NFd", 0);
        info.put("NGoroutines", 0);
        info.put("SystemTime", Instant.now().toString());
        info.put("LoggingDriver", "json-file");
        info.put("CgroupDriver", "cgroupfs");
        info.put("CgroupVersion", cgroup);
        info.put("NEventsListener", 0);
        info.put("KernelVersion", System.getProperty("os.version"));
        info.put("OperatingSystem", "Wharf");
        info.put("OSVersion", wharfVersion);
        info.put("OSType", "linux");
        info.put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
        info.put("NCPU", cpuLimit != null ? (int) Math.max(1, Math.ceil(cpuLimit)) : Math.max(1, fleetCpus));
        info.put("MemTotal", memoryLimit != null ? memoryLimit : fleetMemory);
        info.put("IndexServerAddress", "");
        info.put("RegistryConfig", Map.of("IndexConfigs", Map.of(), "InsecureRegistryCIDRs", List.of(), "Mirrors", List.of()));
        info.put("GenericResources", null);
        info.put("HttpProxy", "");
        info.put("HttpsProxy", "");
        info.put("NoProxy", "");
        info.put("Name", "wharf-" + caller.team());
        info.put("Labels", List.of("dev.wharf.team=" + caller.team()));
        info.put("ExperimentalBuild", false);
        info.put("ServerVersion", wharfVersion);
        info.put("Runtimes", Map.of("runc", Map.of("path", "runc")));
        info.put("DefaultRuntime", "runc");
        info.put("Swarm", Map.of("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", false, "Error", "",
                "RemoteManagers", List.of()));
        info.put("LiveRestoreEnabled", true);
        info.put("Isolation", "");
        info.put("InitBinary", "tini");
        info.put("SecurityOptions", List.of("name=userns", "name=no-new-privileges"));
        info.put("Warnings", List.of());
        return info;
    }

    @GetMapping("/system/df")
    Map<String, Object> diskUsage(DockerCaller caller) {
        List<DockerIds.ContainerUse> containers = ids.containers(caller);
        List<Map<String, Object>> imageRows = new ArrayList<>();
        long layers = 0;
        for (DockerImages.Image image : images.list(caller)) {
            ImageHandlers.Summary summary = ImageHandlers.Summary.of(image);
            long using = containers.stream().filter(c -> image.digest().equals(c.imageDigest())).count();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", summary.id());
            row.put("ParentId", "");
            row.put("RepoTags", summary.repoTags());
            row.put("RepoDigests", summary.repoDigests());
            row.put("Created", summary.created());
            row.put("Size", summary.size());
            row.put("SharedSize", 0);
            row.put("VirtualSize", summary.size());
            row.put("Labels", Map.of());
            row.put("Containers", using);
            imageRows.add(row);
            layers += summary.size();
        }
        List<Map<String, Object>> containerRows = new ArrayList<>();
        for (DockerIds.ContainerUse c : containers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", DockerIds.dockerId(c.wharfId()));
            row.put("Names", List.of("/" + c.name()));
            row.put("Image", DockerImages.familiar(c.image()));
            row.put("ImageID", c.imageDigest() == null ? "" : c.imageDigest());
            row.put("Command", "");
            row.put("Created", c.createdAt().getEpochSecond());
            row.put("State", c.state().equals("exited") || c.state().equals("created") || c.state().equals("running") ? c.state() : "dead");
            row.put("Status", c.state());
            row.put("SizeRw", c.writableBytes());
            row.put("SizeRootFs", c.writableBytes());
            row.put("Labels", Map.of());
            row.put("Mounts", List.of());
            containerRows.add(row);
        }
        List<Map<String, Object>> volumeRows = new ArrayList<>();
        for (VolumeManagement.VolumeView v : volumes.list(caller.caller(), caller.team())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Name", v.name());
            row.put("Driver", "local");
            row.put("Mountpoint", "");
            row.put("CreatedAt", v.createdAt() == null ? "" : v.createdAt().toString());
            row.put("Labels", v.labels() == null ? Map.of() : v.labels());
            row.put("Scope", "local");
            row.put("Options", Map.of());
            row.put("UsageData", Map.of("Size", v.used() == null ? -1 : v.used(), "RefCount", v.usedBy() == null ? 0 : v.usedBy().size()));
            volumeRows.add(row);
        }
        Map<String, Object> df = new LinkedHashMap<>();
        df.put("LayersSize", layers);
        df.put("Images", imageRows);
        df.put("Containers", containerRows);
        df.put("Volumes", volumeRows);
        df.put("BuildCache", List.of());
        return df;
    }
}
