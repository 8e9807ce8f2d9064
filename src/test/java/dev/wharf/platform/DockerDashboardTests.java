package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Chromium;
import dev.wharf.testing.DashboardBrowser;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.WorkDirs;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The "Docker access" page in a real headless Chromium: a member makes a certificate, downloads its
 * files as one archive, and the real Docker CLI works with exactly those files and the host of the
 * page's {@code docker context create} command; revoking it on the page stops the CLI; another
 * member sees neither the certificate nor its revoke button. Screenshots go to
 * {@code target/screenshots/docker-*.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DockerDashboardTests {

    static DashboardBrowser browser;
    static Path work;

    @LocalServerPort
    int port;

    @BeforeAll
    static void setUp() throws Exception {
        Prerequisites.require(Chromium.available(), "Debian's chromium and chromium-driver are not installed");
        DockerCli.require();
        work = WorkDirs.create("wharf-docker-page-");
        browser = DashboardBrowser.start("docker", Duration.ofSeconds(20));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (browser != null) {
            browser.close();
        }
        WorkDirs.delete(work);
    }

    @Test
    void aMemberMakesACertificateDownloadsItsFilesAndTheDockerCliWorksWithThem() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkp");
        browser.at(port).logIn(team.name() + "-member", ApiTeam.PASSWORD);
        browser.driver.get(browser.url("/teams/" + team.name()));
        browser.visible("#team-docker").click();
        browser.wait.until(ExpectedConditions.titleContains("Docker access"));
        assertThat(browser.text("#certificates-empty, p.muted")).isNotBlank();

        browser.visible("#certificate-name").sendKeys("laptop");
        browser.visible("#certificate-days").clear();
        browser.visible("#certificate-days").sendKeys("30");
        browser.submit(browser.visible("#certificate-name"));
        browser.visible("#new-certificate");
        browser.screenshot("made");
        assertThat(browser.visible(".flash").getText()).contains("Certificate laptop made");
        String href = browser.visible("#download-certificate").getAttribute("href");
        assertThat(browser.visible("#download-certificate").getAttribute("download")).isEqualTo("wharf-" + team.name() + "-docker.zip");
        assertThat(href).startsWith("data:application/zip;base64,");
        Map<String, String> files = unzip(Base64.getDecoder().decode(href.substring(href.indexOf(',') + 1)));
        assertThat(files.keySet()).containsExactlyInAnyOrder("ca.pem", "cert.pem", "key.pem");
        assertThat(files.get("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----");

        String command = browser.visible("#docker-context").getAttribute("value");
        Matcher host = Pattern.compile("^docker context create wharf-" + Pattern.quote(team.name())
                + " --docker \"host=(tcp://[^,]+),ca=\\$HOME/\\.wharf/" + Pattern.quote(team.name()) + "/ca\\.pem,cert=\\$HOME/\\.wharf/"
                + Pattern.quote(team.name()) + "/cert\\.pem,key=\\$HOME/\\.wharf/" + Pattern.quote(team.name()) + "/key\\.pem\"$").matcher(command);
        assertThat(host.matches()).as(command).isTrue();
        int dockerPort = URI.create(host.group(1)).getPort();
        DockerCli docker = DockerCli.at(work.resolve("downloaded"), "tcp://localhost:" + dockerPort, files.get("ca.pem"), files.get("cert.pem"),
                files.get("key.pem"));
        DockerCli.Result version = docker.run("version", "--format", "{{.Server.Platform.Name}}");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout().strip()).isEqualTo("Wharf");

        // the page lists it, the key is nowhere on it after a reload, and another member of the team sees none of it
        browser.driver.navigate().refresh();
        assertThat(browser.driver.findElements(By.id("new-certificate"))).isEmpty();
        assertThat(browser.driver.getPageSource()).doesNotContain("PRIVATE KEY");
        assertThat(browser.text("#certificates")).contains("laptop").contains("active");
        String other = team.name() + "-m2";
        team.admin().post("/api/v1/users", "{\"name\":\"" + other + "\",\"password\":\"" + ApiTeam.PASSWORD + "\"}");
        team.admin().put("/api/v1/teams/" + team.name() + "/members/" + other, "{\"role\":\"member\"}");
        Http otherBrowser = Http.loggedIn(port, other, ApiTeam.PASSWORD);
        assertThat(otherBrowser.get("/teams/" + team.name() + "/docker").body()).doesNotContain("id=\"certificates\"").contains("No Docker certificates yet.");

        // revoked on the page: the CLI is refused at its next command
        browser.visible("#certificates button.danger").click();
        browser.wait.until(ExpectedConditions.alertIsPresent()).accept();
        browser.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".flash"), "Certificate revoked."));
        assertThat(browser.text("#certificates")).contains("revoked");
        browser.screenshot("revoked");
        DockerCli.Result refused = docker.run("version", "--format", "{{.Server.Platform.Name}}");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("this client certificate was revoked");
    }

    @Test
    void aBadNameIsRefusedOnThePageAndMakesNothing() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkq");
        browser.at(port).logIn(team.name() + "-member", ApiTeam.PASSWORD);
        browser.driver.get(browser.url("/teams/" + team.name() + "/docker"));
        browser.js("document.getElementById('certificate-name').removeAttribute('required');"
                + "document.getElementById('certificate-days').removeAttribute('max');");
        browser.visible("#certificate-name").sendKeys("x");
        browser.visible("#certificate-days").clear();
        browser.visible("#certificate-days").sendKeys("400");
        browser.submit(browser.visible("#certificate-name"));
        browser.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".flash"), "expiresInDays must be between 1 and 365"));
        assertThat(browser.driver.findElements(By.id("new-certificate"))).isEmpty();
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/docker-certificates").json()).isEmpty();
    }

    private static Map<String, String> unzip(byte[] archive) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                files.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        return files;
    }
}
