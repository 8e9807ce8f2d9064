package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Chromium;
import dev.wharf.testing.Http;
import dev.wharf.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * A real headless Chromium clicks through the dashboard: log in, create a user and a team,
 * add the user as a member, create a token (secret shown once) and revoke it. Screenshots of
 * every page go to {@code target/screenshots/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class BrowserTests {

    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    static WebDriver driver;
    static WebDriverWait wait;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startChromium() throws Exception {
        Prerequisites.require(Chromium.available(),
                "Debian's chromium and chromium-driver are not installed");
        Files.createDirectories(SCREENSHOTS);
        driver = Chromium.start();
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    @AfterAll
    static void stopChromium() {
        if (driver != null) {
            driver.quit();
        }
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private WebElement field(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private void submit(WebElement inForm) {
        inForm.findElement(By.xpath("ancestor::form")).findElement(By.cssSelector("button[type=submit]")).click();
    }

    private String flash() {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".flash"))).getText();
    }

    @Test
    void adminManagesATeamAndAUserManagesTokensInTheBrowser() throws Exception {
        driver.get(url("/teams"));
        wait.until(ExpectedConditions.urlContains("/login"));
        assertThat(driver.getTitle()).isEqualTo("Log in · Wharf");
        screenshot("01-login");

        field("username").sendKeys("admin");
        field("password").sendKeys("wrong-password");
        submit(field("password"));
        assertThat(flash()).contains("Wrong user name or password");
        screenshot("02-login-failed");
        field("username").sendKeys("admin");
        field("password").sendKeys(ApiFlowTests.ADMIN_PASSWORD);
        submit(field("password"));
        wait.until(ExpectedConditions.titleIs("Teams · Wharf"));
        assertOnlyLocalAssets();

        // an admin creates a user on the users page
        driver.get(url("/admin/users"));
        field("user-name").sendKeys("grace");
        field("user-password").sendKeys("lunar-cobalt-5517");
        submit(field("user-name"));
        assertThat(flash()).isEqualTo("User grace created.");
        assertThat(driver.findElement(By.cssSelector("#users tr[data-user=grace]")).getText()).contains("grace");
        screenshot("03-admin-users");

        // ... creates a team, and lands on its page
        driver.get(url("/teams"));
        field("team-name").sendKeys("Bad Name");
        submit(field("team-name"));
        // the browser's own pattern check stops it; the server check is covered by the API tests
        assertThat(driver.getCurrentUrl()).endsWith("/teams");
        field("team-name").clear();
        field("team-name").sendKeys("payments");
        field("team-display").sendKeys("Payments");
        submit(field("team-name"));
        wait.until(ExpectedConditions.titleIs("Payments · Wharf"));
        assertThat(flash()).isEqualTo("Team payments created.");

        // ... adds grace as a member, then makes her owner
        field("member-user").sendKeys("grace");
        submit(field("member-user"));
        assertThat(flash()).isEqualTo("grace is now member of payments.");
        WebElement row = driver.findElement(By.cssSelector("#members tr[data-user=grace]"));
        assertThat(row.findElement(By.tagName("select")).getAttribute("value")).isEqualTo("member");
        field("member-user").sendKeys("nobody");
        submit(field("member-user"));
        assertThat(flash()).isEqualTo("user \"nobody\" not found");
        screenshot("04-team");

        driver.get(url("/"));
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
        screenshot("05-home");
        driver.get(url("/teams/does-not-exist"));
        assertThat(driver.findElement(By.cssSelector(".flash.error")).getText()).isEqualTo("team \"does-not-exist\" not found");
        assertThat(driver.getPageSource()).doesNotContain("Whitelabel").doesNotContain("Exception");
        screenshot("06-not-found");

        // grace logs in and manages her API tokens
        driver.findElement(By.cssSelector(".account button")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        field("username").sendKeys("grace");
        field("password").sendKeys("lunar-cobalt-5517");
        submit(field("password"));
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Payments");
        assertThat(driver.findElements(By.linkText("Users"))).isEmpty();

        driver.get(url("/tokens"));
        field("token-name").sendKeys("laptop");
        field("token-days").sendKeys("30");
        submit(field("token-name"));
        String secret = field("token-secret").getAttribute("value");
        assertThat(secret).startsWith("wharf_");
        assertThat(driver.findElement(By.cssSelector("#tokens tr[data-token=laptop]")).getText()).contains("never");
        screenshot("07-token-created");
        assertThat(Http.to(port).bearer(secret).get("/api/v1/me").json().get("name").asString()).isEqualTo("grace");

        driver.navigate().refresh();
        assertThat(driver.findElements(By.id("token-secret"))).as("the secret is shown only once").isEmpty();
        assertThat(driver.getPageSource()).doesNotContain(secret);
        driver.findElement(By.cssSelector("#tokens tr[data-token=laptop] button.danger")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(flash()).isEqualTo("Token revoked.");
        assertThat(driver.findElements(By.cssSelector("#tokens tr[data-token=laptop]"))).isEmpty();
        assertThat(Http.to(port).bearer(secret).get("/api/v1/me").status()).isEqualTo(401);
        screenshot("08-tokens");

        driver.get(url("/account"));
        screenshot("09-account");
        driver.get(url("/admin/users"));
        assertThat(driver.findElement(By.cssSelector(".flash.error")).getText()).isEqualTo("You are not allowed to do this.");

        driver.manage().window().setSize(new Dimension(390, 844));
        driver.get(url("/teams/payments"));
        Object overflow = ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
        assertThat(overflow).as("no sideways scrolling on a phone-width screen").isEqualTo(false);
        screenshot("10-team-phone");
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    @SuppressWarnings("unchecked")
    private void assertOnlyLocalAssets() {
        List<String> sources = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll('script[src],link[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))");
        assertThat(sources).isNotEmpty().allSatisfy(src -> assertThat(src).startsWith("/"));
        Object htmx = ((JavascriptExecutor) driver).executeScript("return typeof window.htmx");
        assertThat(htmx).isEqualTo("object");
    }
}
