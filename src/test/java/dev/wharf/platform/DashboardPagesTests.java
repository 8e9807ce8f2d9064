package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Chromium;
import dev.wharf.testing.DashboardBrowser;
import dev.wharf.testing.Loopback;
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
 * The dashboard's team sub-pages and admin pages in a real headless Chromium against real
 * containers: a member creates a project from the form and a container in it that mounts a
 * volume through the form and prints 100,000 lines, which the log view scrolls and searches
 * without a DOM row per line; the images page pulls an image with the form; an admin filters
 * the audit log to the project's creation and sees the nodes. Viewers see no buttons. Every
 * page is checked at phone width. Networks and volumes: a member publishes a busybox nc server on
 * 127.0.0.1 from the create form, sees its port and IP on the team and container pages, reads its
 * answer from the host, is refused the same host port again in the form, and makes, fills in and
 * deletes a volume on the volumes page. Screenshots go to {@code target/screenshots/pages-*.png}.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DashboardPagesTests {

    static final String PASSWORD = "tidal-ember-4821";
    static final String TEAM = "pages";

    static TestNode env;
    static String image;
    static String tools;
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
        env = TestNode.start("wharf-pages-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
        tools = env.push(BusyboxLayout.AMD64, "library/tools:2");
        browser = DashboardBrowser.start("pages", Duration.ofSeconds(30));
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

    private void page(String path, String title) {
        driver.get(url(path));
        wait.until(ExpectedConditions.titleIs(title));
    }

    /** A new team with the users TEAM-member and TEAM-viewer in those roles; returns the admin's client. */
    private Http team(String team, String displayName) {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\",\"displayName\":\"" + displayName + "\"}").status())
                .isEqualTo(201);
        for (String role : List.of("member", "viewer")) {
            admin.post("/api/v1/users", "{\"name\":\"" + team + "-" + role + "\",\"password\":\"" + PASSWORD + "\"}");
            admin.put("/api/v1/teams/" + team + "/members/" + team + "-" + role, "{\"role\":\"" + role + "\"}");
        }
        return admin;
    }

    private long logRows() {
        return (Long) js("return document.querySelectorAll('#log-view .log-line').length");
    }

    @Test
    void projectsVolumesLongLogsImagesAuditAndNodes() throws Exception {
        node = runtime;
        browser.at(port);
        try {
            flow();
        } catch (Exception | AssertionError e) {
            browser.failed();
            throw e;
        }
    }

    private void flow() throws Exception {
        Http admin = team(TEAM, "Pages team");
        Http member = Http.to(port).basic(TEAM + "-member", PASSWORD);
        assertThat(member.post("/api/v1/teams/" + TEAM + "/volumes", "{\"name\":\"data\",\"size\":\"16Mi\"}").status()).isEqualTo(201);

        // a member creates a project from the team page's link
        browser.logIn(TEAM + "-member", PASSWORD);
        page("/teams/" + TEAM, "Pages team · Wharf");
        visible("#team-projects").click();
        wait.until(ExpectedConditions.titleIs("Projects · Pages team · Wharf"));
        visible("#project-name").sendKeys("shop");
        browser.submit(visible("#project-name"));
        wait.until(ExpectedConditions.titleIs("shop · Projects · Pages team · Wharf"));
        assertThat(visible(".flash.notice").getText()).isEqualTo("Project shop created.");
        // the same name again: the API's sentence at the field
        page("/teams/" + TEAM + "/projects", "Projects · Pages team · Wharf");
        visible("#project-name").sendKeys("shop");
        visible("#project-name").sendKeys(Keys.ENTER);
        assertThat(visible("#project-name-error").getText()).isEqualTo("team \"pages\" already has a project \"shop\"");
        assertThat(visible("#project-name").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(visible("#projects tr[data-project=shop] .count").getText()).isEqualTo("0");
        browser.screenshot("01-projects");

        // a container in the project, with the volume mounted through the form, printing 100,000 lines
        visible("#projects tr[data-project=shop] a").click();
        wait.until(ExpectedConditions.titleIs("shop · Projects · Pages team · Wharf"));
        visible("#new-container").click();
        wait.until(ExpectedConditions.titleIs("New container · Pages team · Wharf"));
        assertThat(visible("#f-project").getAttribute("value")).isEqualTo("shop");
        visible("#f-name").sendKeys("counter");
        visible("#f-image").sendKeys(image);
        visible("#f-command").sendKeys("/bin/sh", Keys.ENTER, "-c", Keys.ENTER, "seq 1 100000; exec sleep 3600");
        WebElement row = visible(".volume-row[data-volume=data]");
        row.findElement(By.cssSelector("input[type=checkbox][name$='.name']")).click();
        WebElement path = row.findElement(By.cssSelector("input[name$='.path']"));
        path.clear();
        path.sendKeys("/srv/data");
        browser.screenshot("02-create-with-volume");
        browser.submit(visible("#f-name"));
        wait.until(ExpectedConditions.titleIs("counter · Pages team · Wharf"));
        assertThat(visible(".flash.notice").getText()).isEqualTo("Container counter created.");

        // the container sees the volume at the path the form gave
        Http.Response exec = member.post("/api/v1/teams/" + TEAM + "/containers/counter/exec",
                "{\"command\":[\"/bin/sh\",\"-c\",\"grep ' /srv/data ' /proc/mounts && echo written > /srv/data/proof && cat /srv/data/proof\"]}");
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        assertThat(exec.json().get("exitCode").asInt()).as(exec.toString()).isZero();
        assertThat(exec.json().get("stdout").asString()).contains("/srv/data").contains("written");

        // 100,000 lines: all arrive, the DOM holds only the rows in sight, the bottom shows the last line
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> d.findElement(By.id("logs-count")).getText().equals("100,000 lines"));
        wait.until(d -> !d.findElements(By.cssSelector("#log-view .log-line[data-line='100000']")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("#log-view .log-line[data-line='100000']")).getText()).isEqualTo("100000");
        assertThat(logRows()).as("rows in the DOM").isLessThan(500);
        browser.screenshot("03-log-bottom");
        // scrolling to the middle renders the middle at once
        long before = System.nanoTime();
        js("const v = document.getElementById('log-view'); v.scrollTop = v.scrollHeight / 2;");
        wait.until(d -> !d.findElements(By.cssSelector("#log-view .log-line[data-line='50000']")).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(visible("#logs-follow").isSelected()).as("scrolling up stops following").isFalse();
        assertThat(logRows()).isLessThan(500);
        // search finds a line far from the rendered ones and jumps to it
        js("document.getElementById('log-view').scrollTop = 0");
        visible("#logs-search").sendKeys("77777", Keys.ENTER);
        wait.until(d -> d.findElements(By.cssSelector("#log-view .log-line.current")).size() == 1);
        WebElement current = driver.findElement(By.cssSelector("#log-view .log-line.current"));
        assertThat(current.getAttribute("data-line")).isEqualTo("77777");
        assertThat(current.findElement(By.tagName("mark")).getText()).isEqualTo("77777");
        assertThat(visible("#logs-matches").getText()).isEqualTo("Match 1 of 1");
        assertThat(logRows()).isLessThan(500);
        browser.screenshot("04-log-search");

        // the project page lists the container; the projects list counts it
        page("/teams/" + TEAM + "/projects/shop", "shop · Projects · Pages team · Wharf");
        visible("#containers tr[data-container=counter]");
        page("/teams/" + TEAM + "/projects", "Projects · Pages team · Wharf");
        assertThat(visible("#projects tr[data-project=shop] .count").getText()).isEqualTo("1");
        // deleting it is refused while it has containers, with the problem's sentence
        page("/teams/" + TEAM + "/projects/shop", "shop · Projects · Pages team · Wharf");
        visible("#delete-project button[type=submit]").click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(visible(".flash.error").getText()).isEqualTo("project \"shop\" has 1 container(s); delete them first or use force=true");
        browser.screenshot("05-project");

        // images: the pulled busybox is listed; the form pulls another with its progress shown
        page("/teams/" + TEAM + "/images", "Images · Pages team · Wharf");
        assertThat(visible("#images").getText()).contains("busybox");
        visible("#image-reference").sendKeys(tools);
        browser.submit(visible("#image-reference"));
        assertThat(visible(".flash.notice").getText()).startsWith("Pulling ");
        visible("#pulls li.pull");
        wait.until(d -> d.findElement(By.id("images")).getText().contains("tools"));
        assertThat(visible("#pulls li.pull[data-state=done]").getText()).contains("done");
        browser.screenshot("06-images");

        // a viewer reads the same pages and has no buttons
        browser.logIn(TEAM + "-viewer", PASSWORD);
        page("/teams/" + TEAM + "/projects", "Projects · Pages team · Wharf");
        visible("#projects tr[data-project=shop]");
        assertThat(driver.findElements(By.id("create-project"))).isEmpty();
        page("/teams/" + TEAM + "/projects/shop", "shop · Projects · Pages team · Wharf");
        visible("#containers tr[data-container=counter]");
        assertThat(driver.findElements(By.cssSelector("#delete-project, #new-container, .action-stop, .action-delete"))).isEmpty();
        page("/teams/" + TEAM + "/images", "Images · Pages team · Wharf");
        visible("#images");
        assertThat(driver.findElements(By.cssSelector("#pull-image, .action-delete"))).isEmpty();

        // an admin: the audit log filtered to the team shows the project's creation; the nodes
        browser.logIn("admin", ApiFlowTests.ADMIN_PASSWORD);
        page("/admin/audit", "Audit log · Wharf");
        visible("#audit-team").sendKeys(TEAM);
        visible("#audit-action").sendKeys("projects");
        browser.submit(visible("#audit-team"));
        wait.until(ExpectedConditions.urlContains("team=" + TEAM));
        List<WebElement> events = driver.findElements(By.cssSelector("#audit tbody tr"));
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.getAttribute("data-team")).isEqualTo(TEAM));
        assertThat(visible("#audit").getText()).contains("POST /teams/{team}/projects").contains(TEAM + "-member");
        browser.screenshot("07-audit");
        driver.findElement(By.linkText("Nodes")).click();
        wait.until(ExpectedConditions.titleIs("Nodes · Wharf"));
        assertThat(visible("#nodes tr[data-node=local]").getText()).contains("up");
        browser.screenshot("08-nodes");

        // phone width: no sideways scrolling on any of the new pages
        browser.atPhoneWidth(() -> {
            for (String[] p : List.of(new String[] {"/teams/" + TEAM + "/projects", "09-projects-phone"},
                    new String[] {"/teams/" + TEAM + "/projects/shop", "10-project-phone"},
                    new String[] {"/teams/" + TEAM + "/images", "11-images-phone"},
                    new String[] {"/teams/" + TEAM + "/containers/new", "12-create-phone"},
                    new String[] {"/teams/" + TEAM + "/containers/counter", "13-container-phone"},
                    new String[] {"/admin/audit", "14-audit-phone"}, new String[] {"/admin/nodes", "15-nodes-phone"})) {
                assertThat(browser.scrollsSideways(p[0], p[1])).as("sideways scrolling on a phone-width screen at " + p[0]).isFalse();
            }
        });

        // the admin deletes the project with its containers
        page("/teams/" + TEAM + "/projects/shop", "shop · Projects · Pages team · Wharf");
        visible("#project-force").click();
        visible("#delete-project button[type=submit]").click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.titleIs("Projects · Pages team · Wharf"));
        assertThat(visible(".flash.notice").getText()).isEqualTo("Project shop deleted.");
        assertThat(member.get("/api/v1/teams/" + TEAM + "/containers").json().size()).isZero();
    }

    @Test
    void networkOnTheFormsAndPagesAndTheVolumesPage() throws Exception {
        node = runtime;
        browser.at(port);
        try {
            networkAndVolumes();
        } catch (Exception | AssertionError e) {
            browser.failed();
            throw e;
        }
    }

    private void networkAndVolumes() throws Exception {
        String team = "netui";
        String title = "Net team · Wharf";
        Http admin = team(team, "Net team");
        Http member = Http.to(port).basic(team + "-member", PASSWORD);
        int hostPort = Loopback.freePort(20000, 60000);

        // the create form: team network by default, a busybox nc server published on 127.0.0.1
        browser.logIn(team + "-member", PASSWORD);
        page("/teams/" + team + "/containers/new", "New container · " + title);
        assertThat(visible("#f-network-team").isSelected()).isTrue();
        assertThat(driver.findElements(By.cssSelector("#f-ports fieldset.port-row"))).hasSizeGreaterThanOrEqualTo(3);
        fillPong("pong", "9000", String.valueOf(hostPort));
        browser.screenshot("20-create-with-port");
        browser.submit(visible("#f-name"));
        wait.until(ExpectedConditions.titleIs("pong · " + title));
        assertThat(visible(".flash.notice").getText()).isEqualTo("Container pong created.");

        // the container page's network section: mode, IP, names, the port with its link, outbound
        // (the section is part of the summary that refreshes every 3 s, so it is read in one go, by script)
        wait.until(d -> summaryText("#network-ip").matches("\\d+\\.\\d+\\.\\d+\\.\\d+"));
        String ip = summaryText("#network-ip");
        assertThat(summaryText("#network-mode")).isEqualTo("team network");
        assertThat(summaryText("#network-names")).isEqualTo("pong");
        assertThat(summaryText("#network-ports")).contains("127.0.0.1:" + hostPort + "→9000/tcp");
        assertThat(js("return document.querySelector('#network-ports a').href")).isEqualTo("http://127.0.0.1:" + hostPort + "/");
        assertThat(summaryText("#network-outbound")).contains("allowed");
        browser.screenshot("21-container-network");

        // from the host, the published port answers
        assertThat(Loopback.read(hostPort)).isEqualTo("pong");

        // the team page's row: the port and the IP
        page("/teams/" + team, title);
        WebElement row = visible("#containers tr[data-container=pong]");
        assertThat(row.findElement(By.cssSelector(".ports")).getText()).isEqualTo("127.0.0.1:" + hostPort + "→9000/tcp");
        assertThat(row.findElement(By.cssSelector(".ip")).getText()).isEqualTo(ip);
        browser.screenshot("22-team-ports");

        // a host port outside 1-65535: the API's sentence at the field; the same host port again: the 409's sentence in the form
        page("/teams/" + team + "/containers/new", "New container · " + title);
        fillPong("pong2", "9000", "70000");
        browser.submit(visible("#f-name"));
        assertThat(visible("#f-port-0-host-error").getText()).contains("host port 70000 is outside the range");
        assertThat(visible("#f-port-0-host").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(visible("#f-port-0-container").getAttribute("value")).isEqualTo("9000");
        visible("#f-port-0-host").clear();
        visible("#f-port-0-host").sendKeys(String.valueOf(hostPort));
        browser.submit(visible("#f-name"));
        wait.until(d -> !d.findElements(By.id("f-ports-error")).isEmpty());
        assertThat(visible("#f-ports-error").getText()).contains("127.0.0.1:" + hostPort + "/tcp").contains("already published");
        assertThat(driver.getTitle()).isEqualTo("New container · " + title);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/pong2").status()).isEqualTo(404);
        js("document.getElementById('f-ports').scrollIntoView()");
        browser.screenshot("23-port-taken");

        // the volumes page from the team page: create one, see its size; the storage quota refuses a bigger one
        page("/teams/" + team, title);
        visible("#team-volumes").click();
        wait.until(ExpectedConditions.titleIs("Volumes · " + title));
        visible("#volume-name").sendKeys("cache");
        visible("#volume-size").sendKeys("8Mi");
        browser.submit(visible("#volume-name"));
        assertThat(visible(".flash.notice").getText()).isEqualTo("Volume cache created.");
        WebElement cache = visible("#volumes tr[data-volume=cache]");
        assertThat(cache.findElement(By.cssSelector(".volume-size")).getText()).isEqualTo("8Mi");
        assertThat(cache.findElement(By.cssSelector(".volume-mounts")).getText()).isEqualTo("not mounted");
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"storage\":\"16Mi\"}").status()).isEqualTo(200);
        visible("#volume-name").sendKeys("big");
        visible("#volume-size").sendKeys("32Mi");
        browser.submit(visible("#volume-name"));
        assertThat(visible("#volume-form-error").getText()).contains("quota exceeded").contains("storage");
        assertThat(visible("#volume-name").getAttribute("value")).isEqualTo("big");
        assertThat(driver.findElements(By.cssSelector("#volumes tr[data-volume=big]"))).isEmpty();

        // a container writes into it: the page shows the space used and who mounts it; deleting is refused while mounted
        Http.Response holder = member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"holder\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sh\",\"-c\",\"head -c 2097152 /dev/zero > /cache/fill; exec sleep 3600\"],"
                + "\"volumes\":[{\"name\":\"cache\",\"path\":\"/cache\"}]}");
        assertThat(holder.status()).as(holder.toString()).isEqualTo(201);
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> {
            d.get(url("/teams/" + team + "/volumes"));
            return d.findElement(By.cssSelector("#volumes tr[data-volume=cache] .used-text")).getText().startsWith("2");
        });
        cache = visible("#volumes tr[data-volume=cache]");
        assertThat(cache.findElement(By.cssSelector(".used-text")).getText()).matches("2(\\.\\d+)?Mi \\(25%\\)");
        assertThat(cache.findElement(By.cssSelector(".volume-mounts")).getText()).isEqualTo("holder");
        assertThat(cache.findElement(By.cssSelector(".usage-bar")).getAttribute("aria-label")).contains("of 8Mi used, 25%");
        browser.screenshot("24-volumes");
        cache.findElement(By.cssSelector(".action-delete")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(visible(".flash.error").getText()).contains("volume cache is mounted by");
        visible("#volumes tr[data-volume=cache]");

        // a viewer reads the page and has no buttons
        browser.logIn(team + "-viewer", PASSWORD);
        page("/teams/" + team + "/volumes", "Volumes · " + title);
        visible("#volumes tr[data-volume=cache]");
        assertThat(driver.findElements(By.cssSelector("#create-volume, .action-delete"))).isEmpty();

        // phone width: no sideways scrolling
        browser.atPhoneWidth(() -> {
            for (String[] p : List.of(new String[] {"/teams/" + team + "/volumes", "25-volumes-phone"},
                    new String[] {"/teams/" + team, "26-team-phone"},
                    new String[] {"/teams/" + team + "/containers/pong", "27-container-network-phone"},
                    new String[] {"/teams/" + team + "/containers/new", "28-create-phone"})) {
                assertThat(browser.scrollsSideways(p[0], p[1])).as("sideways scrolling on a phone-width screen at " + p[0]).isFalse();
            }
        });

        // once nothing mounts it, the member deletes it from the page
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/holder?force=true").status()).isEqualTo(204);
        browser.logIn(team + "-member", PASSWORD);
        page("/teams/" + team + "/volumes", "Volumes · " + title);
        visible("#volumes tr[data-volume=cache] .action-delete").click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(visible(".flash.notice").getText()).isEqualTo("Volume cache deleted.");
        assertThat(driver.findElements(By.cssSelector("#volumes tr[data-volume=cache]"))).isEmpty();
        assertThat(member.get("/api/v1/teams/" + team + "/volumes").json().size()).isZero();
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/pong?force=true").status()).isEqualTo(204);
    }

    /** The text of an element of the container page's summary (htmx replaces the summary every 3 s). */
    private String summaryText(String css) {
        return browser.text(css);
    }

    /** Fills the create form with a busybox nc server that answers "pong", its port published on 127.0.0.1. */
    private void fillPong(String name, String containerPort, String hostPort) {
        visible("#f-name").sendKeys(name);
        visible("#f-image").sendKeys(image);
        visible("#f-command").sendKeys("/bin/nc", Keys.ENTER, "-ll", Keys.ENTER, "-p", Keys.ENTER, "9000", Keys.ENTER, "-e", Keys.ENTER,
                "/bin/echo", Keys.ENTER, "pong");
        visible("#f-port-0-container").sendKeys(containerPort);
        visible("#f-port-0-host").sendKeys(hostPort);
        visible("#f-port-0-ip").sendKeys("127.0.0.1");
    }
}
