package dev.wharf.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class OpenApiConfiguration {

    @Bean
    OpenAPI wharfOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Wharf API").version("v1")
                        .description("Teams, members, API tokens, quotas and containers of a Wharf platform. "
                                + "Errors are RFC 9457 problem documents."))
                .components(new Components()
                        .addSecuritySchemes("token", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An API token from POST /api/v1/tokens"))
                        .addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
                .path("/api/v1/teams/{team}/containers/{name}/terminal", new io.swagger.v3.oas.models.PathItem().get(
                        new io.swagger.v3.oas.models.Operation().addTagsItem("Containers").operationId("terminal")
                                .summary("Interactive shell in a running container (WebSocket upgrade; members)")
                                .description("Query cols, rows: first terminal size. Client to server: text frames "
                                        + "{\"type\":\"input\",\"data\":\"...\"} and {\"type\":\"resize\",\"cols\":N,\"rows\":N}. "
                                        + "Server to client: binary frames with the terminal's output; closed with 1000 when the shell exits.")
                                .responses(new io.swagger.v3.oas.models.responses.ApiResponses().addApiResponse("101",
                                        new io.swagger.v3.oas.models.responses.ApiResponse().description("Switching to WebSocket")))))
                .addSecurityItem(new SecurityRequirement().addList("token"))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }
}
