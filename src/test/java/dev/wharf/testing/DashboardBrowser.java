package dev.wharf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A {@link Chromium} on the dashboard, with what the browser tests do on every page: wait for an
 * element, run a script, submit the form around a field, log in, take a screenshot to
 * {@code target/screenshots/PREFIX-NAME.png}, and check a page does not scroll sideways at phone width.
 * Its waits try again when htmx replaced an element they had found.
 */
public final class DashboardBrowser implements AutoCloseable {

    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    public final WebDriver driver;
    public final WebDriverWait wait;
    private final String prefix;
    private String base = "http://localhost";

    private DashboardBrowser(WebDriver driver, Duration timeout, String prefix) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, timeout);
        // htmx replaces refreshed parts of a page (a container's summary, the images list while pulling): an element
        // found just before a swap is stale, and the condition is simply tried again
        this.wait.ignoring(StaleElementReferenceException.class);
        this.prefix = prefix;
    }

    public static DashboardBrowser start(String screenshotPrefix, Duration timeout) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        return new DashboardBrowser(Chromium.start(), timeout, screenshotPrefix);
    }

    /** The server's port, once the test knows it. */
    public DashboardBrowser at(int port) {
        base = "http://localhost:" + port;
        return this;
    }

    public String url(String path) {
        return base + path;
    }

    public void screenshot(String name) {
        try {
            Files.write(SCREENSHOTS.resolve(prefix + "-" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A screenshot and the page's HTML as {@code PREFIX-failure.*}, for a person to look at. */
    public void failed() throws IOException {
        screenshot("failure");
        Files.writeString(SCREENSHOTS.resolve(prefix + "-failure.html"), driver.getPageSource());
    }

    public WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    public Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /**
     * The visible text of the element {@code css} finds, read in one script call ("" when there is none): for parts
     * that htmx replaces every few seconds (a container's summary), where a found element may be stale before it is read.
     */
    public String text(String css) {
        Object text = ((JavascriptExecutor) driver).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : ''", css);
        return String.valueOf(text);
    }

    public void submit(WebElement inForm) {
        inForm.findElement(By.xpath("ancestor::form")).findElement(By.cssSelector("button[type=submit]")).click();
    }

    public void logIn(String user, String password) {
        driver.manage().deleteAllCookies();
        driver.get(url("/login"));
        visible("#username").sendKeys(user);
        visible("#password").sendKeys(password);
        submit(visible("#password"));
        wait.until(ExpectedConditions.titleIs("Dashboard · Wharf"));
    }

    /** Runs {@code checks} with the window at a phone's 390x844, then back at 1280x900. */
    public void atPhoneWidth(ThrowingRunnable checks) throws Exception {
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            checks.run();
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    /** Whether the page at {@code path} scrolls sideways (it should not); screenshot {@code shot}. */
    public boolean scrollsSideways(String path, String shot) throws InterruptedException {
        driver.get(url(path));
        Thread.sleep(500);
        boolean sideways = Boolean.TRUE.equals(js("return document.documentElement.scrollWidth > document.documentElement.clientWidth"));
        screenshot(shot);
        return sideways;
    }

    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
