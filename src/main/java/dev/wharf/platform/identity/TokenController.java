package dev.wharf.platform.identity;

import dev.wharf.platform.identity.TokenManagement.CreatedToken;
import dev.wharf.platform.identity.TokenManagement.TokenView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "API tokens", description = "Bearer tokens for scripts and CI; the secret is shown once")
class TokenController {

    private final TokenManagement tokens;

    TokenController(TokenManagement tokens) {
        this.tokens = tokens;
    }

    record NewToken(@NotBlank @Size(max = 100) String name, @Min(1) @Max(3650) Integer expiresInDays) {
    }

    @PostMapping
    @Operation(summary = "Create an API token for yourself; the response holds the secret, which is never shown again")
    ResponseEntity<CreatedToken> create(Caller caller, @Valid @RequestBody NewToken body) {
        CreatedToken created = tokens.create(caller, body.name(), body.expiresInDays());
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + created.id())).body(created);
    }

    @GetMapping
    @Operation(summary = "List your tokens (no secrets)")
    List<TokenView> list(Caller caller) {
        return tokens.list(caller);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke one of your tokens")
    ResponseEntity<Void> revoke(Caller caller, @PathVariable String id) {
        tokens.revoke(caller, id);
        return ResponseEntity.noContent().build();
    }
}
