package dev.wharf.platform.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.OpenIdProvider;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * JWTs of a trusted issuer on the REST API, over real HTTP, the issuer a real OpenID provider on a loopback port
 * (Wharf reads its keys from its discovery document and JWKS): a CI job's token calls as the team role its rule
 * maps it to, and nothing else; tokens of an untrusted issuer, for another audience, expired, signed by another key
 * or matching no rule are refused with a 401 problem saying why; nothing is stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class JwtApiTests {

    static final String SHOP = "jwt-shop";
    static final String OPS = "jwt-ops";
    static final String AUDIENCE = "wharf-api";

    static OpenIdProvider ci = OpenIdProvider.start();

    @LocalServerPort
    int port;

    Http admin;

    @DynamicPropertySource
    static void trust(DynamicPropertyRegistry properties) {
        String prefix = "wharf.oidc.trusted-jwt-issuers[0].";
        properties.add(prefix + "issuer", () -> ci.issuer().toString());
        properties.add(prefix + "audience", () -> AUDIENCE);
        properties.add(prefix + "rules[0].claim", () -> "project_path");
        properties.add(prefix + "rules[0].equals", () -> "shop/app");
        properties.add(prefix + "rules[0].team", () -> SHOP);
        properties.add(prefix + "rules[0].role", () -> "member");
        properties.add(prefix + "rules[1].claim", () -> "project_path");
        properties.add(prefix + "rules[1].equals", () -> "shop/docs");
        properties.add(prefix + "rules[1].team", () -> SHOP);
        properties.add(prefix + "rules[1].role", () -> "viewer");
        // two conditions: the deploy project's jobs on main only
        properties.add(prefix + "rules[2].claim", () -> "project_path");
        properties.add(prefix + "rules[2].equals", () -> "ops/deploy");
        properties.add(prefix + "rules[2].claims.ref", () -> "main");
        properties.add(prefix + "rules[2].team", () -> OPS);
        properties.add(prefix + "rules[2].role", () -> "member");
    }

    @BeforeEach
    void teams() {
        admin = Http.to(port).basic("admin", "test-admin-password");
        for (String team : List.of(SHOP, OPS)) {
            if (admin.get("/api/v1/teams/" + team).status() == 404) {
                assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
            }
        }
    }

    static Map<String, Object> job(String project, String ref) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", "project_path:" + project + ":ref_type:branch:ref:" + ref);
        claims.put("aud", AUDIENCE);
        claims.put("project_path", project);
        claims.put("ref", ref);
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
        return claims;
    }

    Http as(String jwt) {
        return Http.to(port).bearer(jwt);
    }

    Response expect(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response;
    }

    void refused(String jwt, String why) {
        Response answer = expect(as(jwt).get("/api/v1/teams/" + SHOP), 401);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("detail").asString()).contains(why);
    }

    @Test
    void aJobTokenCallsAsTheTeamRoleItsRuleGivesAndNothingIsStored() {
        int users = admin.get("/api/v1/users").json().size();
        Http job = as(ci.jwt(job("shop/app", "main")));

        expect(job.get("/api/v1/teams/" + SHOP), 200);
        Response listed = expect(job.get("/api/v1/teams"), 200);
        assertThat(listed.json().size()).isEqualTo(1);
        assertThat(listed.json().get(0).get("name").asString()).isEqualTo(SHOP);
        assertThat(listed.json().get(0).get("role").asString()).isEqualTo("member");
        expect(job.post("/api/v1/teams/" + SHOP + "/projects", "{\"name\":\"from-ci\"}"), 201);
        Response me = expect(job.get("/api/v1/me"), 200);
        assertThat(me.json().get("name").asString()).isEqualTo("jwt:project_path:shop/app:ref_type:branch:ref:main");
        assertThat(me.json().get("admin").asBoolean()).isFalse();
        assertThat(me.json().get("teams").size()).isEqualTo(1);
        assertThat(me.json().get("teams").get(0).get("role").asString()).isEqualTo("member");

        // the call is in the team's audit trail with the issuer and the subject
        String audit = admin.get("/api/v1/audit?team=" + SHOP).body();
        assertThat(audit).contains("jwt:project_path:shop/app:ref_type:branch:ref:main").contains("\"jwt\"")
                .contains("issuer " + ci.issuer());
        assertThat(admin.get("/api/v1/users").json().size()).isEqualTo(users);
    }

    @Test
    void aJobTokenOfOneTeamCannotTouchAnotherTeamNorActAsAUserOrAdmin() {
        Http job = as(ci.jwt(job("shop/app", "main")));
        // team B's things do not exist for a token of team A
        expect(job.get("/api/v1/teams/" + OPS), 404);
        expect(job.post("/api/v1/teams/" + OPS + "/projects", "{\"name\":\"intruder\"}"), 404);
        expect(job.get("/api/v1/teams/" + OPS + "/projects"), 404);
        assertThat(admin.get("/api/v1/teams/" + OPS + "/projects").body()).doesNotContain("intruder");
        // a job cannot mint itself a lasting Wharf token, nor reach the admin API
        expect(job.post("/api/v1/tokens", "{\"name\":\"keep\"}"), 403);
        expect(job.put("/api/v1/me/password", "{\"currentPassword\":\"x\",\"newPassword\":\"tidal-ember-4821\"}"), 403);
        expect(job.get("/api/v1/users"), 403);
        expect(job.post("/api/v1/teams", "{\"name\":\"jwt-new\"}"), 403);
        expect(job.put("/api/v1/teams/" + SHOP + "/members/admin", "{\"role\":\"viewer\"}"), 403);

        // a viewer rule reads but does not change
        Http docs = as(ci.jwt(job("shop/docs", "main")));
        expect(docs.get("/api/v1/teams/" + SHOP + "/projects"), 200);
        expect(docs.post("/api/v1/teams/" + SHOP + "/projects", "{\"name\":\"docs\"}"), 403);
    }

    @Test
    void everyConditionOfARuleMustMatch() {
        expect(as(ci.jwt(job("ops/deploy", "main"))).get("/api/v1/teams/" + OPS), 200);
        refused(ci.jwt(job("ops/deploy", "feature")), "no rule");
        // claim values are compared whole: no prefix, no pattern
        refused(ci.jwt(job("shop/app-evil", "main")), "no rule");
        refused(ci.jwt(job("shop", "main")), "no rule");
    }

    @Test
    void tokensOfUntrustedIssuersOtherAudiencesExpiredOrSignedByAnotherKeyAreRefused() {
        Map<String, Object> claims = job("shop/app", "main");
        // an issuer Wharf does not trust (the same key: trust is by issuer, not by key)
        refused(OpenIdProvider.sign(ci.signingKey(), Map.of("iss", "http://localhost:1/evil"), claims), "is not trusted");
        // minted for another service
        Map<String, Object> otherAudience = new HashMap<>(claims);
        otherAudience.put("aud", "another-service");
        refused(ci.jwt(otherAudience), "aud");
        // expired an hour ago (beyond any clock skew)
        Map<String, Object> expired = new HashMap<>(claims);
        expired.put("iat", Instant.now().minusSeconds(7200).getEpochSecond());
        expired.put("exp", Instant.now().minusSeconds(3600).getEpochSecond());
        refused(ci.jwt(expired), "expired");
        // the trusted issuer's name, signed by a key it never published
        refused(OpenIdProvider.sign(OpenIdProvider.otherKey(), Map.of("iss", ci.issuer().toString()), claims), "not valid");
        // a signature made with the same key id but another key
        com.nimbusds.jose.jwk.RSAKey impostor = new com.nimbusds.jose.jwk.RSAKey.Builder(OpenIdProvider.otherKey())
                .keyID(ci.signingKey().getKeyID()).build();
        refused(OpenIdProvider.sign(impostor, Map.of("iss", ci.issuer().toString()), claims), "not valid");
        // the trusted issuer's name, "signed" with a shared secret (HS256) instead of the issuer's RSA key
        try {
            com.nimbusds.jwt.JWTClaimsSet.Builder builder = new com.nimbusds.jwt.JWTClaimsSet.Builder();
            claims.forEach(builder::claim);
            builder.issuer(ci.issuer().toString());
            com.nimbusds.jwt.SignedJWT hmac = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                    builder.build());
            hmac.sign(new com.nimbusds.jose.crypto.MACSigner(new byte[32]));
            refused(hmac.serialize(), "not valid");
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
        // not a JWT at all
        Response garbage = expect(as("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.").get("/api/v1/teams"), 401);
        assertThat(garbage.json().get("detail").asString()).isNotBlank();

        String audit = admin.get("/api/v1/audit").body();
        assertThat(audit).contains("is not trusted").contains("authenticate");
    }
}
