package dev.wharf.platform.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Chromium;
import dev.wharf.testing.Http;
import dev.wharf.testing.OpenIdProvider;
import dev.wharf.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Single sign-on in a real headless Chromium against a real OpenID provider (Spring Authorization Server
 * on a loopback port, see {@link OpenIdProvider}): a person clicks the provider's button, logs in at the
 * provider's form and lands on the dashboard as a new {@code oidc} user in the teams its groups map to; a
 * second login after a group change moves the membership (a hand-given one stays); logging out ends the
 * provider's session too; a name a local user has is refused, so is an ID token meant for another client,
 * and a group named like a team gives nothing without a mapping. Screenshots go to {@code target/screenshots/sso-*.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class SingleSignOnBrowserTests {

    static final String ADMIN_PASSWORD = "test-admin-password";
    static final String SECRET = "wharf-client-secret-7731";
    static final Path SCREENSHOTS = Path.of("target/screenshots");

    static OpenIdProvider provider = OpenIdProvider.start();
    static WebDriver driver;
    static WebDriverWait wait;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void sso(DynamicPropertyRegistry properties) {
        properties.add("wharf.oidc.providers.corp.issuer", () -> provider.issuer().toString());
        properties.add("wharf.oidc.providers.corp.client-id", () -> "wharf");
        properties.add("wharf.oidc.providers.corp.client-secret", () -> SECRET);
        properties.add("wharf.oidc.providers.corp.display-name", () -> "Corp SSO");
    }

    @BeforeAll
    static void startChromium() throws Exception {
        Prerequisites.require(Chromium.available(), "Debian's chromium and chromium-driver are not installed");
        Files.createDirectories(SCREENSHOTS);
        driver = Chromium.start();
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** Wharf as the browser sees it: 127.0.0.1 (the provider is localhost, so their cookies are apart). */
    private String wharf(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve("sso-" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** From Wharf's login page through the provider's form; returns when back at Wharf. */
    private void logInAtProvider(String user, String password) {
        driver.get(wharf("/login"));
        visible("#login-corp").click();
        wait.until(ExpectedConditions.urlContains("localhost:" + provider.issuer().getPort() + "/login"));
        visible("#username").sendKeys(user);
        visible("#password").sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("127.0.0.1:" + port));
    }

    private Map<String, String> rolesOf(Http admin, String user, String... teams) {
        Map<String, String> roles = new HashMap<>();
        for (String team : teams) {
            for (JsonNode member : admin.get("/api/v1/teams/" + team).json().get("members")) {
                if (member.get("user").asString().equals(user)) {
                    roles.put(team, member.get("role").asString());
                }
            }
        }
        return roles;
    }

    @Test
    void peopleLogInThroughTheProviderAndLandInTheTeamsTheirGroupsMapTo() throws Exception {
        try {
            flow();
        } catch (Exception | AssertionError e) {
            screenshot("failure");
            Files.writeString(SCREENSHOTS.resolve("sso-failure.html"), driver.getPageSource());
            throw e;
        }
    }

    private void flow() throws Exception {
        provider.client("wharf", SECRET, "http://127.0.0.1:" + port, "corp");
        // "shop" is also the name of a team: a group named like a team gives nothing without a mapping
        provider.user("alice", "alice-at-corp-4410", "shop-devs", "shop", "ops");
        provider.user("admin", "admin-at-corp-9921", "platform-admins");
        provider.user("mallory", "mallory-at-corp-1337", "shop-devs");
        provider.audienceOf("mallory", "another-client");

        Http admin = Http.to(port).basic("admin", ADMIN_PASSWORD);
        for (String team : new String[] {"shop", "ops", "tools"}) {
            assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        }
        Http.Response mapped = admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"shop-devs\",\"team\":\"shop\",\"role\":\"member\"}");
        assertThat(mapped.status()).isEqualTo(201);
        assertThat(mapped.json().get("team").asString()).isEqualTo("shop");
        assertThat(mapped.json().get("role").asString()).isEqualTo("member");
        // the second mapping through the admin page, logged in with the break-glass password
        driver.get(wharf("/login"));
        visible("#username").sendKeys("admin");
        visible("#password").sendKeys(ADMIN_PASSWORD);
        driver.findElement(By.cssSelector("form[action='/login'] button[type=submit]")).click();
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
        driver.get(wharf("/admin/group-mappings"));
        visible("#mapping-group").sendKeys("ops-devs");
        new org.openqa.selenium.support.ui.Select(visible("#mapping-team")).selectByVisibleText("ops");
        new org.openqa.selenium.support.ui.Select(visible("#mapping-role")).selectByValue("viewer");
        driver.findElement(By.xpath("//button[normalize-space()='Map group']")).click();
        assertThat(visible(".flash").getText()).contains("Group ops-devs now gives the viewer role in team ops");
        assertThat(visible("tr[data-group='shop-devs']").getText()).contains("member of team shop");
        screenshot("group-mappings");
        driver.findElement(By.xpath("//button[normalize-space()='Log out']")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));

        // the login page offers the provider beside the password form
        driver.get(wharf("/login"));
        assertThat(visible("#login-corp").getText()).isEqualTo("Log in with Corp SSO");
        assertThat(driver.findElements(By.id("password"))).isNotEmpty();
        screenshot("login-page");

        logInAtProvider("alice", "alice-at-corp-4410");
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
        assertThat(driver.getPageSource()).contains("alice");
        screenshot("dashboard-alice");
        JsonNode alice = admin.get("/api/v1/users/alice").json();
        assertThat(alice.get("source").asString()).isEqualTo("oidc");
        assertThat(alice.get("admin").asBoolean()).isFalse();
        assertThat(rolesOf(admin, "alice", "shop", "ops", "tools")).isEqualTo(Map.of("shop", "member"));
        // the person has no Wharf password: HTTP Basic with anything is refused
        assertThat(Http.to(port).basic("alice", "alice-at-corp-4410").get("/api/v1/me").status()).isEqualTo(401);

        // a hand-given membership, then the provider moves alice from shop-devs to ops-devs
        assertThat(admin.put("/api/v1/teams/tools/members/alice", "{\"role\":\"owner\"}").status()).isEqualTo(200);
        provider.groups("alice", "ops-devs");

        // logging out of Wharf ends the provider's session too: the next login asks for the password again
        driver.findElement(By.xpath("//button[normalize-space()='Log out']")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        assertThat(driver.getCurrentUrl()).startsWith(wharf("/login"));
        assertThat(visible(".flash.notice").getText()).contains("logged out");
        logInAtProvider("alice", "alice-at-corp-4410");
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
        assertThat(rolesOf(admin, "alice", "shop", "ops", "tools")).isEqualTo(Map.of("ops", "viewer", "tools", "owner"));
        // the dashboard shows alice her teams as they are now
        driver.get(wharf("/teams"));
        assertThat(visible("main").getText()).contains("ops").doesNotContain("shop");

        // a name that belongs to a local user is refused, never merged
        driver.findElement(By.xpath("//button[normalize-space()='Log out']")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        logInAtProvider("admin", "admin-at-corp-9921");
        assertThat(visible("#login-refused").getText()).contains("already belongs to another Wharf user");
        screenshot("refused-name");
        assertThat(admin.get("/api/v1/users/admin").json().get("source").asString()).isEqualTo("local");
        driver.get(wharf("/"));
        wait.until(ExpectedConditions.urlContains("/login"));

        // an ID token the provider made for another client is not a login to Wharf
        driver.get(provider.issuer() + "/login");
        driver.manage().deleteAllCookies(); // the provider's session of "admin"
        logInAtProvider("mallory", "mallory-at-corp-1337");
        assertThat(visible("#login-refused").getText()).contains("ID Token");
        assertThat(admin.get("/api/v1/users/mallory").status()).isEqualTo(404);

        // the audit trail names the provider and the subject
        String audit = admin.get("/api/v1/audit?limit=200").body();
        assertThat(audit).contains("oidc:corp").contains("subject alice").contains("from groups");
    }
}
