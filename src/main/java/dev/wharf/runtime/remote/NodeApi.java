package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.wire.VolumeRequest;
import java.util.List;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.service.annotation.DeleteExchange;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.annotation.PutExchange;
import tools.jackson.databind.JsonNode;

/**
 * The plain request/response calls of the node protocol, relative to {@code <node>/node/v1}: one
 * JSON body in, one out (the node's side is {@code runtime.node.NodeApiController}). A proxy of it
 * is made by {@link NodeApiClient} over a {@code RestClient}; an answer that is not 2xx becomes the
 * node's {@code RuntimeFailure} there ({@link NodeFailures}). The streams (logs, events, pulls,
 * the import upload, the bounded exec answer, the terminal) are written by hand in
 * {@link RemoteRuntime}.
 */
@HttpExchange(accept = {"application/json", "application/x-ndjson"})
interface NodeApi {

    @GetExchange("/status")
    NodeStatus status();

    @PutExchange("/teams/{team}/limits")
    void applyTeamLimits(@PathVariable long team, @RequestBody TeamLimits limits);

    @DeleteExchange("/teams/{team}")
    void removeTeam(@PathVariable long team);

    @PostExchange("/containers")
    ContainerInfo create(@RequestBody ContainerSpec spec);

    @GetExchange("/containers")
    List<ContainerInfo> list();

    @GetExchange("/containers/{id}")
    ContainerInfo inspect(@PathVariable String id);

    @PostExchange("/containers/{id}/start")
    ContainerInfo start(@PathVariable String id);

    /** {@code timeout}: an ISO-8601 duration ({@code PT10S}). */
    @PostExchange("/containers/{id}/stop")
    ContainerInfo stop(@PathVariable String id, @RequestParam String timeout);

    @PostExchange("/containers/{id}/kill")
    void kill(@PathVariable String id, @RequestParam String signal);

    @DeleteExchange("/containers/{id}")
    void remove(@PathVariable String id, @RequestParam boolean force);

    @GetExchange("/containers/{id}/stats")
    ContainerStats stats(@PathVariable String id);

    /** {@code {"bytes":n}}. */
    @GetExchange("/containers/{id}/writable-bytes")
    JsonNode writableBytes(@PathVariable String id);

    @GetExchange("/teams/{team}/images")
    List<ImageInfo> images(@PathVariable long team);

    @GetExchange("/teams/{team}/images/{digest}")
    ImageInfo image(@PathVariable long team, @PathVariable String digest);

    @DeleteExchange("/teams/{team}/images/{digest}")
    void removeImage(@PathVariable long team, @PathVariable String digest);

    @PostExchange("/teams/{team}/volumes")
    VolumeInfo createVolume(@PathVariable long team, @RequestBody VolumeRequest request);

    @GetExchange("/teams/{team}/volumes")
    List<VolumeInfo> volumes(@PathVariable long team);

    @DeleteExchange("/teams/{team}/volumes/{name}")
    void removeVolume(@PathVariable long team, @PathVariable String name);
}
