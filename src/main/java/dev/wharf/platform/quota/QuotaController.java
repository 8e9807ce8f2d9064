package dev.wharf.platform.quota;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.quota.QuotaAdmission.Amounts;
import dev.wharf.platform.quota.QuotaAdmission.DefaultResources;
import dev.wharf.platform.quota.QuotaAdmission.QuotaView;
import dev.wharf.platform.web.Quantities;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/teams/{team}/quota")
@Tag(name = "Quotas", description = "A team's resource limits, its usage, and default container resources")
class QuotaController {

    private final QuotaAdmission quotas;

    QuotaController(QuotaAdmission quotas) {
        this.quotas = quotas;
    }

    /**
     * Memory and storage as bytes or "256Mi"; null = unlimited. {@code outbound}: whether the
     * team's containers may reach beyond the node (null = unchanged).
     */
    record LimitsRequest(Double cpus, String memory, Long pids, Long containers, String storage, Boolean outbound) {
        Amounts amounts() {
            return new Amounts(Quantities.cpus("cpus", cpus), Quantities.bytes("memory", memory), Quantities.count("pids", pids),
                    Quantities.count("containers", containers), Quantities.bytes("storage", storage));
        }
    }

    record DefaultsRequest(Double cpus, String memory, Long pids) {
    }

    @GetMapping
    @Operation(summary = "The team's limits, usage and defaults (bytes for memory and storage; null limit = unlimited)")
    QuotaView get(Caller caller, @PathVariable String team) {
        return quotas.view(caller, team);
    }

    @PutMapping
    @Operation(summary = "Set the team's limits (admins only); refused with 409 below current usage; the team cgroup follows at once")
    QuotaView put(Caller caller, @PathVariable String team, @RequestBody LimitsRequest body) {
        return quotas.setLimits(caller, team, body.amounts(), body.outbound());
    }

    @PutMapping("/defaults")
    @Operation(summary = "Set the resources a container of the team gets when its request names none (admins only)")
    QuotaView defaults(Caller caller, @PathVariable String team, @RequestBody DefaultsRequest body) {
        return quotas.setDefaults(caller, team, new DefaultResources(Quantities.cpus("cpus", body.cpus()),
                Quantities.bytes("memory", body.memory()), Quantities.count("pids", body.pids())));
    }
}
