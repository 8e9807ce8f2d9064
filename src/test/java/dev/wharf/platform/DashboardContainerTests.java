package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Chromium;
import dev.wharf.testing.DashboardBrowser;
import dev.wharf.testing.Http;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The container's create form and page in a real headless Chromium against real containers: a member fills
 * the folded advanced section (entrypoint, user, labels, health check, stop timeout, init, tmpfs, read-only
 * root), a bad tmpfs size is refused at its field and creates nothing, and the API then returns every field
 * as typed; the container page shows those settings, its network section exactly once, and charts whose time
 * labels do not overlap from 1280 to 1920 px. A container with a real health check shows its health badge on
 * the team page and its probes in the health log. Screenshots go to {@code target/screenshots/container-*.png}.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DashboardContainerTests {

    static final String PASSWORD = "tidal-ember-4821";

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
        Prerequisites.require(Chromium.available(), "Debian's chromium and chromium-driver are not installed");
        env = TestNode.start("wharf-container-page-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
        browser = DashboardBrowser.start("container", Duration.ofSeconds(30));
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

    /** A new team with the user TEAM-member in it; returns that member's client. */
    private Http team(String team, String displayName) {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\",\"displayName\":\"" + displayName + "\"}").status())
                .isEqualTo(201);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-member\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-member", "{\"role\":\"member\"}");
        return Http.to(port).basic(team + "-member", PASSWORD);
    }

    private void page(String path, String title) {
        driver.get(browser.url(path));
        wait.until(ExpectedConditions.titleIs(title));
    }

    private void type(String css, String text) {
        browser.visible(css).clear();
        browser.visible(css).sendKeys(text);
    }

    /** The text of an element inside the summary (replaced every 3 s). */
    private String summaryText(String css) {
        return browser.text(css);
    }

    private void run(DashboardBrowser.ThrowingRunnable flow) throws Exception {
        node = runtime;
        browser.at(port);
        try {
            flow.run();
        } catch (Exception | AssertionError e) {
            try {
                browser.failed();
            } catch (Exception | Error screenshot) {
                e.addSuppressed(screenshot); // the browser itself is stuck: the first failure is the one to read
            }
            throw e;
        }
    }

    @Test
    void theAdvancedSectionCreatesWhatItSaysAndThePageShowsItWithOneNetworkSectionAndReadableCharts() throws Exception {
        run(this::advanced);
    }

    private void advanced() throws Exception {
        String team = "adv";
        String title = "Advanced team · Wharf";
        Http member = team(team, "Advanced team");

        browser.logIn(team + "-member", PASSWORD);
        page("/teams/" + team + "/containers/new", "New container · " + title);
        // folded by default: its fields are there but not shown
        assertThat(browser.js("return document.getElementById('f-advanced').open")).isEqualTo(false);
        assertThat(driver.findElement(By.id("f-entrypoint")).isDisplayed()).isFalse();

        // a tmpfs size that is no size: the API's sentence at the field, the section open, what was typed kept, nothing created
        type("#f-name", "tuned");
        type("#f-image", image);
        browser.visible("#f-advanced > summary").click();
        type("#f-tmpfs-0-path", "/scratch");
        type("#f-tmpfs-0-size", "lots");
        type("#f-user", "1000:1000");
        browser.submit(browser.visible("#f-name"));
        assertThat(browser.visible("#f-tmpfs-0-size-error").getText()).contains("byte count").contains("\"lots\"");
        assertThat(browser.visible("#f-tmpfs-0-size").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.visible("#f-tmpfs-0-size").getAttribute("aria-describedby")).isEqualTo("f-tmpfs-0-size-error");
        assertThat(browser.js("return document.getElementById('f-advanced').open")).isEqualTo(true);
        assertThat(browser.visible("#f-tmpfs-0-path").getAttribute("value")).isEqualTo("/scratch");
        assertThat(browser.visible("#f-tmpfs-0-size").getAttribute("value")).isEqualTo("lots");
        assertThat(browser.visible("#f-user").getAttribute("value")).isEqualTo("1000:1000");
        assertThat(browser.visible("#f-name").getAttribute("value")).isEqualTo("tuned");
        assertThat(driver.getTitle()).isEqualTo("New container · " + title);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/tuned").status()).isEqualTo(404);
        assertThat(member.get("/api/v1/teams/" + team + "/containers").json().size()).isZero();
        js("document.getElementById('f-tmpfs').scrollIntoView()");
        browser.screenshot("01-tmpfs-refused");

        // a stop timeout that is no number is refused by the form at its field
        type("#f-tmpfs-0-size", "8Mi");
        type("#f-stop-timeout", "soon");
        browser.submit(browser.visible("#f-name"));
        assertThat(browser.visible("#f-stop-timeout-error").getText()).isEqualTo("the stop timeout must be a whole number, got \"soon\"");
        assertThat(member.get("/api/v1/teams/" + team + "/containers").json().size()).isZero();

        // the whole section filled in: it is created with each field as typed
        type("#f-stop-timeout", "3");
        browser.visible("#f-command").sendKeys("echo started as $(id -u); exec sleep 3600");
        browser.visible("#f-entrypoint").sendKeys("/bin/sh", Keys.ENTER, "-c");
        browser.visible("#f-labels").sendKeys("tier=web", Keys.ENTER, "com.example/owner=ops");
        type("#f-health-test", "true");
        type("#f-health-interval", "2s");
        type("#f-health-timeout", "1s");
        type("#f-health-start-period", "5s");
        type("#f-health-retries", "2");
        browser.visible("#f-health-restart").click();
        browser.visible("#f-init").click();
        browser.visible("#f-read-only").click();
        browser.screenshot("02-advanced-filled");
        browser.submit(browser.visible("#f-name"));
        wait.until(ExpectedConditions.titleIs("tuned · " + title));
        assertThat(browser.visible(".flash.notice").getText()).isEqualTo("Container tuned created.");

        JsonNode c = member.get("/api/v1/teams/" + team + "/containers/tuned").json();
        assertThat(strings(c.get("entrypoint"))).containsExactly("/bin/sh", "-c");
        assertThat(strings(c.get("command"))).containsExactly("echo started as $(id -u); exec sleep 3600");
        assertThat(c.get("user").asString()).isEqualTo("1000:1000");
        assertThat(c.get("labels").get("tier").asString()).isEqualTo("web");
        assertThat(c.get("labels").get("com.example/owner").asString()).isEqualTo("ops");
        assertThat(c.get("labels").size()).isEqualTo(2);
        assertThat(c.get("stopTimeout").asInt()).isEqualTo(3);
        assertThat(c.get("init").asBoolean()).isTrue();
        assertThat(c.get("readOnlyRootfs").asBoolean()).isTrue();
        assertThat(c.get("tmpfs").size()).isEqualTo(1);
        assertThat(c.get("tmpfs").get(0).get("path").asString()).isEqualTo("/scratch");
        assertThat(c.get("tmpfs").get(0).get("size").asString()).isEqualTo("8Mi");
        JsonNode health = c.get("healthcheck");
        assertThat(strings(health.get("test"))).containsExactly("CMD-SHELL", "true");
        assertThat(health.get("interval").asString()).isEqualTo("2s");
        assertThat(health.get("timeout").asString()).isEqualTo("1s");
        assertThat(health.get("startPeriod").asString()).isEqualTo("5s");
        assertThat(health.get("retries").asInt()).isEqualTo(2);
        assertThat(health.get("onUnhealthy").asString()).isEqualTo("restart");
        // the entrypoint ran with the command as its argument, as the user asked for
        String logs = Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> member.get("/api/v1/teams/" + team + "/containers/tuned/logs").body(), l -> l.contains("started as"));
        assertThat(logs).contains("started as 1000");

        // the page shows the settings, in one place
        wait.until(d -> summaryText("#container-state").startsWith("running"));
        assertThat(summaryText("#container-entrypoint")).isEqualTo("/bin/sh -c");
        assertThat(summaryText("#settings-user")).isEqualTo("1000:1000");
        assertThat(summaryText("#settings-stop-timeout")).isEqualTo("3 s");
        assertThat(summaryText("#settings-init")).isEqualTo("yes");
        assertThat(summaryText("#settings-read-only")).isEqualTo("yes");
        assertThat(summaryText("#settings-tmpfs")).isEqualTo("/scratch 8Mi");
        assertThat(summaryText("#settings-labels")).isEqualTo("com.example/owner=ops\ntier=web");
        assertThat(summaryText("#health-check")).contains("true").contains("2s").contains("restart");

        // the network section once, in the summary, also after the summary has been refreshed
        assertOneNetworkSection();
        js("document.getElementById('summary').dataset.before = 'refresh'");
        wait.until(d -> Boolean.TRUE.equals(js("const s = document.getElementById('summary'); return !!s && !s.dataset.before")));
        assertOneNetworkSection();

        // the charts: once they hold a few samples, their time labels do not overlap at desktop widths
        new WebDriverWait(driver, Duration.ofSeconds(40)).until(d -> Boolean.TRUE.equals(js(
                "const u = document.getElementById('chart-cpu').uplot; return !!u && u.data[0].length >= 8")));
        for (int width : List.of(1280, 1440, 1920)) {
            driver.manage().window().setSize(new Dimension(width, 900));
            // a resize redraws the charts at their new width
            wait.until(d -> Boolean.TRUE.equals(js("return ['chart-cpu', 'chart-memory', 'chart-pids'].every(id => {"
                    + " const e = document.getElementById(id); return e.uplot.width === Math.max(200, e.clientWidth); })")));
            for (String chart : List.of("chart-cpu", "chart-memory", "chart-pids")) {
                assertTimeLabelsApart(chart, width);
            }
            if (width == 1440) {
                js("document.getElementById('stats').scrollIntoView()");
                browser.screenshot("03-charts-1440");
            }
        }
        driver.manage().window().setSize(new Dimension(1280, 900));

        // phone width: the open advanced section and the container page do not scroll sideways
        browser.atPhoneWidth(() -> {
            page("/teams/" + team + "/containers/new", "New container · " + title);
            browser.visible("#f-advanced > summary").click();
            browser.visible("#f-tmpfs-0-path");
            assertThat(js("return document.documentElement.scrollWidth > document.documentElement.clientWidth"))
                    .as("sideways scrolling of the open advanced section on a phone").isEqualTo(false);
            browser.screenshot("04-advanced-phone");
            assertThat(browser.scrollsSideways("/teams/" + team + "/containers/tuned", "05-container-phone")).isFalse();
        });
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/tuned?force=true").status()).isEqualTo(204);
    }

    private void assertOneNetworkSection() {
        assertThat(js("return document.querySelectorAll('#network').length")).isEqualTo(1L);
        assertThat(js("return [...document.querySelectorAll('h2')].filter(h => h.textContent.trim() === 'Network').length")).isEqualTo(1L);
        assertThat(js("return !!document.querySelector('#summary #network')")).isEqualTo(true);
    }

    /**
     * The x axis's labels as drawn: each label's box (its text's width around its tick, in canvas pixels) must not
     * touch the next one's, none may be cut off at the chart's edges, and no two may read the same.
     */
    @SuppressWarnings("unchecked")
    private void assertTimeLabelsApart(String chart, int width) {
        List<Map<String, Object>> labels = new ArrayList<>((List<Map<String, Object>>) js(
                "const u = document.getElementById('" + chart + "').uplot; const axis = u.axes[0];"
                        + "const ctx = u.ctx; ctx.save(); ctx.font = axis.font[0]; const boxes = [];"
                        + "(axis._values || []).forEach((v, i) => { if (v == null) return;"
                        + "  const x = u.valToPos(axis._splits[i], 'x', true); const w = ctx.measureText(String(v)).width;"
                        + "  boxes.push({label: String(v), left: x - w / 2, right: x + w / 2}); });"
                        + "ctx.restore(); boxes.push({label: '', left: ctx.canvas.width, right: ctx.canvas.width}); return boxes;"));
        // the last box is the canvas's right edge (and its left edge is 0): a label cut off there is no better than one overlapped
        double canvasWidth = ((Number) labels.remove(labels.size() - 1).get("left")).doubleValue();
        assertThat(labels).as("time labels of %s at %d px inside the chart (%s px wide)", chart, width, canvasWidth)
                .allSatisfy(b -> assertThat(((Number) b.get("left")).doubleValue()).isGreaterThanOrEqualTo(0))
                .allSatisfy(b -> assertThat(((Number) b.get("right")).doubleValue()).isLessThanOrEqualTo(canvasWidth));
        assertThat(labels).as("time labels of %s at %d px", chart, width).hasSizeGreaterThanOrEqualTo(2);
        List<Map<String, Object>> sorted = new ArrayList<>(labels);
        sorted.sort(Comparator.comparingDouble(b -> ((Number) b.get("left")).doubleValue()));
        for (int i = 1; i < sorted.size(); i++) {
            double previousRight = ((Number) sorted.get(i - 1).get("right")).doubleValue();
            double left = ((Number) sorted.get(i).get("left")).doubleValue();
            assertThat(left).as("%s at %d px: label \"%s\" overlaps \"%s\" (%s)", chart, width, sorted.get(i).get("label"),
                    sorted.get(i - 1).get("label"), labels).isGreaterThan(previousRight);
        }
        assertThat(labels.stream().map(b -> b.get("label")).distinct().count()).as("distinct labels of %s: %s", chart, labels)
                .isEqualTo(labels.size());
    }

    @Test
    void aRealHealthCheckShowsAsABadgeOnTheTeamPageAndAsProbesOnTheContainerPage() throws Exception {
        run(this::health);
    }

    private void health() throws Exception {
        String team = "healthy";
        String title = "Health team · Wharf";
        Http member = team(team, "Health team");
        Http.Response created = member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"probe\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sh\",\"-c\",\"exec sleep 3600\"],"
                + "\"healthcheck\":{\"test\":[\"CMD-SHELL\",\"test -f /tmp/ok && echo fine || { echo missing; exit 1; }\"],\"interval\":\"1s\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Http.Response plain = member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"plain\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sh\",\"-c\",\"exec sleep 3600\"]}");
        assertThat(plain.status()).as(plain.toString()).isEqualTo(201);

        // the team page: no /tmp/ok, so after three failed probes (1 s apart) the badge says unhealthy; a container without a check has none
        browser.logIn(team + "-member", PASSWORD);
        page("/teams/" + team, title);
        js("window.__noReload = true");
        browser.visible("#containers tr[data-container=probe][data-health=unhealthy] .badge.health-unhealthy");
        assertThat(driver.findElements(By.cssSelector("#containers tr[data-container=plain] .badge.health"))).isEmpty();
        browser.screenshot("10-team-unhealthy");

        // the file appears: healthy, on the same page without a reload
        Http.Response touch = member.post("/api/v1/teams/" + team + "/containers/probe/exec", "{\"command\":[\"touch\",\"/tmp/ok\"]}");
        assertThat(touch.status()).as(touch.toString()).isEqualTo(200);
        browser.visible("#containers tr[data-container=probe][data-health=healthy] .badge.health-healthy");
        assertThat(js("return window.__noReload === true")).as("the page was not reloaded").isEqualTo(true);
        assertThat(js("return document.querySelector('#containers tr[data-container=probe] .badge.health').textContent"))
                .isEqualTo("health: healthy");
        browser.screenshot("11-team-healthy");

        // the container page: the badge and the log of the last probes, newest first, with passes and failures
        page("/teams/" + team + "/containers/probe", "probe · " + title);
        wait.until(d -> Boolean.TRUE.equals(js("return !!document.querySelector('#container-health .badge.health-healthy')")));
        assertThat(summaryText("#health-check")).contains("test -f /tmp/ok").contains("1s");
        List<Map<String, Object>> probes = probes();
        assertThat(probes).hasSizeGreaterThanOrEqualTo(2).hasSizeLessThanOrEqualTo(5);
        assertThat(probes.get(0)).containsEntry("exit", "0");
        assertThat(String.valueOf(probes.get(0).get("output"))).contains("fine");
        assertThat(String.valueOf(probes.get(0).get("start"))).matches("\\d{2}:\\d{2}:\\d{2} UTC");
        assertThat(String.valueOf(probes.get(0).get("took"))).matches("\\d+ ms|\\d+\\.\\d s");
        // the log refreshes with the page: the failures roll out as new passes come in, until only passes are left
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> probes().stream().allMatch(p -> "0".equals(p.get("exit")))
                && probes().size() == 5);
        browser.screenshot("12-container-health");

        // and back: the file goes, the page's log shows the failures with their output
        member.post("/api/v1/teams/" + team + "/containers/probe/exec", "{\"command\":[\"rm\",\"/tmp/ok\"]}");
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "1".equals(probes().get(0).get("exit")));
        assertThat(String.valueOf(probes().get(0).get("output"))).contains("missing");
        wait.until(d -> Boolean.TRUE.equals(js("return !!document.querySelector('#container-health .badge.health-unhealthy')")));

        assertThat(member.delete("/api/v1/teams/" + team + "/containers/probe?force=true").status()).isEqualTo(204);
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/plain?force=true").status()).isEqualTo(204);
    }

    /** The health log's rows as shown, newest first, read in one script call. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> probes() {
        return (List<Map<String, Object>>) js("return [...document.querySelectorAll('#health-log tbody tr')].map(r => ({"
                + "start: r.querySelector('.probe-start').innerText.trim(), took: r.querySelector('.probe-duration').innerText.trim(),"
                + "exit: r.dataset.exit, output: r.querySelector('.probe-output').innerText.trim()}))");
    }

    private Object js(String script) {
        return browser.js(script);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
