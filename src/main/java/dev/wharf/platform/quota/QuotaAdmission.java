package dev.wharf.platform.quota;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamCreated;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Team quotas, and admission: the only place that says yes or no to a team using more. An
 * admission locks the team's quota row, sums the declared limits of the team's containers
 * (every container that is not removed counts) plus the new one, and refuses with a
 * {@code quota-exceeded} problem when a limit would be passed. Concurrent requests of one team
 * queue on the lock, so they can never overshoot.
 */
@Service
public class QuotaAdmission {

    private static final Logger log = LoggerFactory.getLogger(QuotaAdmission.class);

    private final TeamQuotaRepository quotas;
    private final TeamManagement teams;
    private final JdbcTemplate jdbc;
    private final NodeRegistry nodes;
    private final Clock clock;

    QuotaAdmission(TeamQuotaRepository quotas, TeamManagement teams, JdbcTemplate jdbc, NodeRegistry nodes, Clock clock) {
        this.quotas = quotas;
        this.teams = teams;
        this.jdbc = jdbc;
        this.nodes = nodes;
        this.clock = clock;
    }

    /** Amounts of each quota resource; {@code null} means unlimited (limits) or not set (defaults). */
    public record Amounts(Double cpus, Long memory, Long pids, Long containers, Long storage) {
    }

    public record DefaultResources(Double cpus, Long memory, Long pids) {
    }

    /** @param outbound whether the team's containers may reach beyond the node (admins turn it off) */
    public record QuotaView(Amounts limits, Amounts usage, DefaultResources defaults, boolean outbound) {
    }

    @EventListener
    void teamCreated(TeamCreated event) {
        quotas.save(new TeamQuota(event.teamId(), clock.instant()));
    }

    /** Once a team is gone, the nodes forget it too: its cgroup, bridge, rules and subnet (free for the next team). */
    @org.springframework.transaction.event.TransactionalEventListener(fallbackExecution = true)
    void teamDeleted(dev.wharf.platform.team.TeamDeleted event) {
        nodes.up().forEach((name, node) -> {
            try {
                node.removeTeam(event.teamId());
            } catch (RuntimeFailure e) {
                log.warn("team {} is deleted, but node {} could not forget it yet: {}", event.name(), name, e.getMessage());
            }
        });
    }

    /**
     * A node that comes (back) up gets the kernel limits of the teams with containers there as the
     * quotas say now: it may have missed changes while it was down.
     */
    @EventListener
    void nodeUp(NodeRegistry.NodeUp event) {
        RuntimeService node;
        try {
            node = nodes.runtime(event.name());
        } catch (RuntimeException e) {
            return; // down again already
        }
        for (TeamQuota quota : quotas.findAllById(nodes.teamsOn(event.name()))) {
            try {
                node.applyTeamLimits(limits(quota.getTeamId(), quota));
            } catch (RuntimeFailure e) {
                log.warn("node {} is up, but team {}'s limits could not be applied there yet: {}", event.name(), quota.getTeamId(),
                        e.getMessage());
            }
        }
    }

    /**
     * Admits one more container of {@code requested} resources for the team, in the caller's
     * transaction (which then records the container, and commits both or neither).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void admitContainer(Team team, Resources requested) {
        TeamQuota quota = quotas.lockByTeamId(team.getId()).orElseThrow();
        Amounts used = usage(team.getId());
        check(team, "containers", 1L, used.containers(), quota.getContainers());
        if (quota.getCpus() != null) {
            require(team, "cpus", requested.cpus());
            check(team, "cpus", requested.cpus(), used.cpus(), quota.getCpus());
        }
        if (quota.getMemoryBytes() != null) {
            require(team, "memory", requested.memoryBytes());
            check(team, "memory", requested.memoryBytes(), used.memory(), quota.getMemoryBytes());
        }
        if (quota.getPids() != null) {
            require(team, "pids", requested.pids());
            check(team, "pids", requested.pids(), used.pids(), quota.getPids());
        }
        // a new container asks for no storage up front, but none starts while the team's layers are past the limit
        check(team, "storage", 0L, used.storage(), quota.getStorageBytes());
    }

    /** Admits a volume of {@code sizeBytes} against the team's storage quota, in the caller's transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void admitStorage(Team team, long sizeBytes) {
        TeamQuota quota = quotas.lockByTeamId(team.getId()).orElseThrow();
        check(team, "storage", sizeBytes, usage(team.getId()).storage(), quota.getStorageBytes());
    }

    /** A team's storage: the volumes' sizes plus its containers' layers as last measured, and its limit (null: none). */
    public record StorageUse(long used, Long limit) {

        public boolean over() {
            return limit != null && used > limit;
        }

        /** "used 30 MiB of 5 MiB" */
        public String describe() {
            return "used " + format("storage", used) + " of " + (limit == null ? "unlimited" : format("storage", limit));
        }
    }

    /** The team's storage use against its quota now (the storage meter asks after each measurement). */
    @Transactional(readOnly = true)
    public StorageUse storage(long teamId) {
        TeamQuota quota = quotas.findById(teamId).orElseThrow();
        return new StorageUse(usage(teamId).storage(), quota.getStorageBytes());
    }

    /** Refuses (403, like an admission) to start a container of a team whose storage is past its quota. */
    @Transactional(readOnly = true)
    public void requireStorageWithinQuota(Team team) {
        StorageUse storage = storage(team.getId());
        check(team, "storage", 0L, storage.used(), storage.limit());
    }

    /** What a container of the team gets when its request names no resources. */
    @Transactional(readOnly = true)
    public DefaultResources defaults(long teamId) {
        TeamQuota quota = quotas.findById(teamId).orElseThrow();
        return new DefaultResources(quota.getDefaultCpus(), quota.getDefaultMemoryBytes(), quota.getDefaultPids());
    }

    @Transactional(readOnly = true)
    public QuotaView view(Caller caller, String teamName) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        return view(team.getId());
    }

    private QuotaView view(long teamId) {
        TeamQuota q = quotas.findById(teamId).orElseThrow();
        return new QuotaView(new Amounts(q.getCpus(), q.getMemoryBytes(), q.getPids(), q.getContainers(), q.getStorageBytes()),
                usage(teamId), new DefaultResources(q.getDefaultCpus(), q.getDefaultMemoryBytes(), q.getDefaultPids()), q.isOutbound());
    }

    /**
     * Sets the team's limits (admins only). A limit below what the team uses now is refused with
     * 409; the kernel limits of the team's cgroup follow at once.
     */
    @Transactional
    public QuotaView setLimits(Caller caller, String teamName, Amounts limits, Boolean outbound) {
        caller.requireAdmin("change quotas");
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        TeamQuota quota = quotas.lockByTeamId(team.getId()).orElseThrow();
        Amounts used = usage(team.getId());
        notBelow(team, "cpus", limits.cpus(), used.cpus());
        notBelow(team, "memory", limits.memory(), used.memory());
        notBelow(team, "pids", limits.pids(), used.pids());
        notBelow(team, "containers", limits.containers(), used.containers());
        notBelow(team, "storage", limits.storage(), used.storage());
        quota.setLimits(limits.cpus(), limits.memory(), limits.pids(), limits.containers(), limits.storage(), clock.instant());
        if (outbound != null) {
            quota.setOutbound(outbound, clock.instant());
        }
        pushToKernel(team.getId(), quota);
        return view(team.getId());
    }

    @Transactional
    public QuotaView setDefaults(Caller caller, String teamName, DefaultResources defaults) {
        caller.requireAdmin("change quotas");
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        quotas.lockByTeamId(team.getId()).orElseThrow().setDefaults(defaults.cpus(), defaults.memory(), defaults.pids(), clock.instant());
        return view(team.getId());
    }

    /** The team's kernel limits as the quota says (for a node that runs the team's first container, or after a reboot). */
    @Transactional(readOnly = true)
    public TeamLimits kernelLimits(long teamId) {
        return limits(teamId, quotas.findById(teamId).orElseThrow());
    }

    /** The new limits go to every node that is up; a node that is down gets them when it is back ({@link #nodeUp}). */
    private void pushToKernel(long teamId, TeamQuota quota) {
        nodes.up().forEach((name, node) -> {
            try {
                node.applyTeamLimits(limits(teamId, quota));
            } catch (RuntimeFailure e) {
                if (e.kind() != RuntimeFailure.Kind.UNAVAILABLE) {
                    throw e;
                }
                log.warn("team {} quota saved; node {} is down, so its cgroup follows when the node is back: {}", teamId, name,
                        e.getMessage());
            }
        });
    }

    private static TeamLimits limits(long teamId, TeamQuota q) {
        return new TeamLimits(teamId, new Resources(q.getCpus(), q.getMemoryBytes(), q.getPids()), q.isOutbound());
    }

    /** The team's usage in one statement (an admission asks it while holding the team's quota lock). */
    private Amounts usage(long teamId) {
        // storage: the volumes' declared sizes plus what containers wrote to their own layers, as last measured
        return jdbc.queryForObject("select count(*), sum(cpus), sum(memory_bytes), sum(pids), coalesce(sum(writable_bytes), 0)"
                + " + (select coalesce(sum(size_bytes), 0) from volumes where team_id = ?) from containers where team_id = ?",
                (rs, row) -> new Amounts(rs.getBigDecimal(2) == null ? 0.0 : rs.getBigDecimal(2).doubleValue(), rs.getLong(3), rs.getLong(4),
                        rs.getLong(1), rs.getLong(5)), teamId, teamId);
    }

    private static void require(Team team, String resource, Object requested) {
        if (requested == null) {
            throw WharfException.invalidField("resources." + resource, "team \"" + team.getName() + "\" has a " + resource
                    + " quota, so the container needs a " + resource + " limit (and the team sets no default)");
        }
    }

    private static void check(Team team, String resource, Number requested, Number used, Number limit) {
        if (limit == null || requested.doubleValue() + used.doubleValue() <= limit.doubleValue() + 1e-9) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("resource", resource);
        fields.put("requested", requested);
        fields.put("used", used);
        fields.put("limit", limit);
        throw new WharfException(ErrorCategory.QUOTA_EXCEEDED, "team \"" + team.getName() + "\" quota exceeded: " + resource
                + " requested " + format(resource, requested) + ", used " + format(resource, used) + " of " + format(resource, limit),
                fields, null);
    }

    private static void notBelow(Team team, String resource, Number limit, Number used) {
        if (limit != null && limit.doubleValue() + 1e-9 < used.doubleValue()) {
            throw WharfException.conflict("team \"" + team.getName() + "\" uses " + format(resource, used) + " " + resource
                    + " now; a limit of " + format(resource, limit) + " would be below that. Stop or remove containers first.");
        }
    }

    static String format(String resource, Number value) {
        return switch (resource) {
            case "memory", "storage" -> Quantities.formatBytes(value.longValue());
            case "cpus" -> Quantities.formatCpus(value.doubleValue());
            default -> Long.toString(value.longValue());
        };
    }
}
