package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Chromium;
import dev.wharf.testing.DashboardBrowser;
import dev.wharf.testing.Http;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard in a real headless Chromium against real containers: a member creates a busybox
 * container from the form, sees it start on the team page without a reload, watches its log
 * lines stream in, types into its web terminal and stops it; a viewer sees no action buttons;
 * an admin lowering a quota below usage reads the refusal. Screenshots go to
 * {@code target/screenshots/dashboard-*.png}.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DashboardTests {

    static final String PASSWORD = "tidal-ember-4821";
    static final String TEAM = "dash";

    static TestNode env;
    static String image;
    static DashboardBrowser browser;
    static WebDriver driver;
    static WebDriverWait wait;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @BeforeAll
    static void setUp() throws Exception {
        Prerequisites.require(Chromium.available(),
                "Debian's chromium and chromium-driver are not installed");
        env = TestNode.start("wharf-dashboard-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");

        browser = DashboardBrowser.start("dashboard", Duration.ofSeconds(20));
        driver = browser.driver;
        wait = browser.wait;
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (env != null) {
            env.close(node);
        }
    }

    private String url(String path) {
        return browser.url(path);
    }

    private WebElement visible(String css) {
        return browser.visible(css);
    }

    private Object js(String script) {
        return browser.js(script);
    }

    private String flash() {
        return visible(".flash").getText();
    }

    private List<WebElement> actionButtons() {
        return driver.findElements(By.cssSelector(".action-start, .action-stop, .action-restart, .action-kill, .action-delete, #new-container, #terminal-open"));
    }

    @Test
    void membersRunWatchAndStopAContainerViewersOnlyLookAdminsSeeQuotaRefusals() throws Exception {
        node = runtime;
        browser.at(port);
        try {
            flow();
        } catch (Exception | AssertionError e) {
            browser.failed(); // what the browser showed when it failed, for a person to look at
            throw e;
        }
    }

    private void flow() throws Exception {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        Http member = Http.to(port).basic(TEAM + "-member", PASSWORD);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + TEAM + "\",\"displayName\":\"Dashboard team\"}").status()).isEqualTo(201);
        for (String role : List.of("member", "viewer")) {
            admin.post("/api/v1/users", "{\"name\":\"" + TEAM + "-" + role + "\",\"password\":\"" + PASSWORD + "\"}");
            admin.put("/api/v1/teams/" + TEAM + "/members/" + TEAM + "-" + role, "{\"role\":\"" + role + "\"}");
        }
        assertThat(admin.put("/api/v1/teams/" + TEAM + "/quota",
                "{\"cpus\":2,\"memory\":\"1Gi\",\"pids\":500,\"containers\":5,\"storage\":null}").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/teams/" + TEAM + "/quota/defaults", "{\"cpus\":0.5,\"memory\":\"64Mi\",\"pids\":100}").status())
                .isEqualTo(200);

        // a member opens the team page: quota bars and an empty containers table
        browser.logIn(TEAM + "-member", PASSWORD);
        driver.get(url("/teams/" + TEAM));
        assertThat(driver.getTitle()).isEqualTo("Dashboard team · Wharf");
        assertThat(visible("#quota li[data-resource=memory] .quota-text").getText()).isEqualTo("0 / 1Gi");
        assertThat(visible("#quota li[data-resource=storage] .quota-text").getText()).isEqualTo("0 / unlimited");
        browser.screenshot("01-team-empty");

        // ... the create form, prefilled with the team's defaults
        visible("#new-container").click();
        wait.until(ExpectedConditions.titleIs("New container · Dashboard team · Wharf"));
        assertThat(visible("#f-cpus").getAttribute("value")).isEqualTo("0.5");
        assertThat(visible("#f-memory").getAttribute("value")).isEqualTo("64Mi");
        assertThat(visible("#quota-left").getText()).contains("memory: 1Gi left");
        // a field error shows at the field
        visible("#f-name").sendKeys("Bad Name");
        visible("#f-image").sendKeys(image);
        browser.submit(visible("#f-name"));
        assertThat(visible("#f-name-error").getText()).contains("DNS label");
        // a quota refusal shows the API's sentence
        visible("#f-name").clear();
        visible("#f-name").sendKeys("ticker");
        visible("#f-memory").clear();
        visible("#f-memory").sendKeys("2Gi");
        browser.submit(visible("#f-name"));
        assertThat(visible(".flash.error").getText())
                .isEqualTo("team \"dash\" quota exceeded: memory requested 2Gi, used 0 of 1Gi");
        assertThat(visible("#f-name").getAttribute("value")).isEqualTo("ticker");
        visible("#f-memory").clear();
        visible("#f-memory").sendKeys("64Mi");
        visible("#f-command").clear();
        visible("#f-command").sendKeys("/bin/sh", Keys.ENTER, "-c", Keys.ENTER,
                "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done");
        visible("#f-env").sendKeys("GREETING=hello");
        WebElement start = visible("#f-start");
        if (start.isSelected()) {
            start.click(); // created only; started below while the team page watches
        }
        browser.screenshot("02-create-form");
        browser.submit(visible("#f-name"));
        wait.until(ExpectedConditions.titleIs("ticker · Dashboard team · Wharf"));
        assertThat(flash()).isEqualTo("Container ticker created.");
        assertThat(visible("#container-state").getText()).contains("created");

        // the team page follows the container's state without a reload
        driver.get(url("/teams/" + TEAM));
        visible("#containers tr[data-container=ticker]");
        js("window.__noReload = true");
        assertThat(member.post("/api/v1/teams/" + TEAM + "/containers/ticker/start", null).status()).isEqualTo(200);
        visible("#containers tr[data-container=ticker][data-state=running]");
        assertThat(js("return window.__noReload === true")).as("the page was not reloaded").isEqualTo(true);
        assertThat(visible("#quota li[data-resource=containers] .quota-text").getText()).isEqualTo("1 / 5");
        assertThat(driver.findElement(By.cssSelector("#containers tr[data-container=ticker]")).getText()).contains("up ");
        browser.screenshot("03-team-running");

        // the container's page: live logs
        driver.findElement(By.linkText("ticker")).click();
        wait.until(ExpectedConditions.titleIs("ticker · Dashboard team · Wharf"));
        wait.until(d -> d.findElements(By.cssSelector("#log-view .log-line")).size() >= 3);
        // (the view renders only the rows in sight, so new lines show as a higher last line number, not more rows)
        String lastLine = "return Number(document.querySelector('#log-view .log-line:last-child').dataset.line)";
        long before = (Long) js(lastLine);
        wait.until(d -> (Long) js(lastLine) > before + 3);
        assertThat(visible("#log-view").getText()).contains("tick-");
        // stats arrive and are charted
        wait.until(d -> !d.findElement(By.id("stat-pids")).getText().equals("–"));
        assertThat(visible("#stat-memory").getText()).contains("of 64 MiB");
        assertThat(driver.findElements(By.cssSelector("#chart-memory canvas"))).isNotEmpty();

        // the terminal
        visible("#terminal-open").click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("terminal-status"), "Connected"));
        WebElement keyboard = driver.findElement(By.cssSelector("#terminal .xterm-helper-textarea"));
        keyboard.sendKeys("echo hi", Keys.ENTER);
        wait.until(d -> Boolean.TRUE.equals(js(
                "return [...document.querySelectorAll('#terminal .xterm-rows > div')].some(r => r.textContent.trim() === 'hi')")));
        browser.screenshot("04-container-running");

        // the search box, with "only matching lines", narrows the log view
        visible("#logs-only-matches").click();
        visible("#logs-search").sendKeys("tick-1");
        wait.until(d -> Boolean.TRUE.equals(js(
                "const rows = [...document.querySelectorAll('#log-view .log-line')];"
                        + "return rows.length > 0 && rows.every(r => r.textContent.includes('tick-1'))")));
        visible("#logs-search").clear();
        visible("#logs-only-matches").click();

        // stop it from the page
        // (the summary is replaced every 3 s: a button found just before a swap is stale, so find it again)
        wait.until(d -> {
            d.findElement(By.cssSelector("#summary .action-stop")).click();
            return true;
        });
        wait.until(ExpectedConditions.titleIs("ticker · Dashboard team · Wharf"));
        assertThat(flash()).isEqualTo("Container ticker stopped.");
        assertThat(visible("#container-state").getText()).contains("exited");
        assertThat(visible("#container-exit").getText()).isEqualTo("137");
        browser.screenshot("05-container-stopped");

        // a viewer sees everything and no buttons
        browser.logIn(TEAM + "-viewer", PASSWORD);
        driver.get(url("/teams/" + TEAM));
        visible("#containers tr[data-container=ticker]");
        assertThat(actionButtons()).isEmpty();
        browser.screenshot("06-team-viewer");
        driver.get(url("/teams/" + TEAM + "/containers/ticker"));
        visible("#container-state");
        wait.until(d -> d.findElements(By.cssSelector("#log-view .log-line")).size() >= 3);
        assertThat(actionButtons()).isEmpty();
        assertThat(driver.findElements(By.id("terminal-card"))).isEmpty();
        browser.screenshot("07-container-viewer");
        driver.get(url("/teams/" + TEAM + "/containers/new"));
        assertThat(visible("#viewer-notice").getText()).contains("needs the member role");
        assertThat(driver.findElement(By.cssSelector("#create-container button[type=submit]")).isEnabled()).isFalse();

        // an admin lowers the quota below usage and reads the refusal
        browser.logIn("admin", ApiFlowTests.ADMIN_PASSWORD);
        driver.get(url("/admin/teams"));
        wait.until(ExpectedConditions.titleIs("Teams and quotas · Wharf"));
        assertThat(visible("#nodes tr[data-node=local]").getText()).contains("local");
        WebElement card = visible(".team-quota[data-team=dash]");
        card.findElement(By.tagName("summary")).click();
        WebElement containers = visible("#q-dash-containers");
        containers.clear();
        containers.sendKeys("0");
        browser.submit(containers);
        assertThat(visible(".flash.error").getText()).isEqualTo(
                "team \"dash\" uses 1 containers now; a limit of 0 would be below that. Stop or remove containers first.");
        visible(".team-quota[data-team=dash] summary").click();
        visible("#q-dash-containers").clear();
        visible("#q-dash-containers").sendKeys("4");
        browser.submit(visible("#q-dash-containers"));
        assertThat(flash()).isEqualTo("Quota of dash saved.");
        assertThat(visible(".team-quota[data-team=dash] li[data-resource=containers] .quota-text").getText()).isEqualTo("1 / 4");
        browser.screenshot("08-admin-quotas");

        // phone width: no sideways scrolling
        browser.atPhoneWidth(() -> {
            for (String[] p : List.of(new String[] {"/teams/" + TEAM, "09-team-phone"},
                    new String[] {"/teams/" + TEAM + "/containers/new", "10-create-phone"},
                    new String[] {"/teams/" + TEAM + "/containers/ticker", "11-container-phone"},
                    new String[] {"/admin/teams", "12-admin-phone"})) {
                assertThat(browser.scrollsSideways(p[0], p[1])).as("sideways scrolling on a phone-width screen at " + p[0]).isFalse();
            }
        });

        // the admin deletes it from its page (with confirmation)
        driver.get(url("/teams/" + TEAM + "/containers/ticker"));
        visible("#summary .action-delete").click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.titleIs("Dashboard team · Wharf"));
        assertThat(flash()).isEqualTo("Container ticker deleted.");
        assertThat(member.get("/api/v1/teams/" + TEAM + "/containers").json().size()).isZero();
    }
}
