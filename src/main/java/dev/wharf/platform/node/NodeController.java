package dev.wharf.platform.node;

import dev.wharf.platform.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/nodes")
@Tag(name = "Nodes", description = "Hosts that run containers (admins only), and how they join")
class NodeController {

    private final NodeRegistry nodes;
    private final NodeJoining joining;

    NodeController(NodeRegistry nodes, NodeJoining joining) {
        this.nodes = nodes;
        this.joining = joining;
    }

    @GetMapping
    @Operation(summary = "Nodes with their state (up/down/joining and why), capacity, allocation and last heartbeat")
    List<NodeRegistry.Node> list(Caller caller) {
        caller.requireAdmin("list nodes");
        return nodes.nodes();
    }

    /** @param nodes how many nodes may join with the token (default 1: single use) */
    record NewJoinToken(Integer expiresInMinutes, Integer nodes) {
    }

    @PostMapping("/join-tokens")
    @Operation(summary = "A join token: single-use unless nodes > 1 (a DaemonSet), expires after expiresInMinutes (default 60); shown only here")
    ResponseEntity<NodeJoining.JoinToken> createJoinToken(Caller caller, @RequestBody(required = false) NewJoinToken body) {
        NodeJoining.JoinToken token = joining.createToken(caller, body == null ? null : body.expiresInMinutes(),
                body == null ? null : body.nodes());
        return ResponseEntity.status(201).body(token);
    }

    /** @param csr the node's PEM certificate request (PKCS#10) for the key it serves TLS with */
    record JoinRequest(String token, String name, String url, String csr) {
    }

    @PostMapping("/join")
    @Operation(summary = "Called by a node starting with a join token and a certificate request: registers it and answers its credential, its certificate"
            + " from Wharf's CA and the CA's certificate (no login: the token is the proof)")
    ResponseEntity<NodeJoining.Joined> join(@RequestBody JoinRequest body) {
        NodeJoining.Joined joined = joining.join(body.token(), body.name(), body.url(), body.csr());
        return ResponseEntity.created(URI.create("/api/v1/nodes/" + joined.name())).body(joined);
    }

    @DeleteMapping("/{node}")
    @Operation(summary = "Removes (revokes) a joined node: the server forgets its credential and never calls it again")
    ResponseEntity<Void> remove(Caller caller, @PathVariable String node, @RequestParam(defaultValue = "false") boolean force) {
        joining.remove(caller, node, force);
        return ResponseEntity.noContent().build();
    }
}
