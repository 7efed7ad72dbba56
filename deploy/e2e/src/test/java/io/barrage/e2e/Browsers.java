package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser tests' Chromium (Debian's, headless) and the steps they share: log in through the page,
 * open a video and play it, wait, look at the overlay. One instance per test; {@link #close} quits every
 * browser it opened.
 */
final class Browsers implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String PASSWORD = "correct horse battery";

    private final List<WebDriver> open = new ArrayList<>();

    WebDriver chromium() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--mute-audio",
                "--autoplay-policy=no-user-gesture-required",
                "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("barrage-chromium-"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .build();
        WebDriver browser = new ChromeDriver(service, options);
        open.add(browser);
        return browser;
    }

    /** The home page once it has asked who we are and shows the login form (hidden until then). */
    WebDriver loginPage(String base) throws IOException {
        WebDriver browser = chromium();
        browser.get(base + "/");
        waitFor(browser, b -> b.findElement(By.id("login-username")).isDisplayed());
        return browser;
    }

    /** A new browser signed in through the page as {@code username} (registered already). */
    WebDriver logIn(String base, String username) throws IOException {
        WebDriver browser = loginPage(base);
        browser.findElement(By.id("login-username")).sendKeys(username);
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-submit")).click();
        waitFor(browser, b -> "user".equals(b.findElement(By.id("session")).getAttribute("data-state")));
        assertThat(browser.findElement(By.id("current-user")).getText()).contains(username);
        return browser;
    }

    @Override
    public void close() {
        open.forEach(WebDriver::quit);
        open.clear();
    }

    /** Opens the watch page, waits for the live connection, and plays muted until the video moves. */
    static void watch(WebDriver browser, String base, long videoId) {
        browser.get(base + "/watch.html?id=" + videoId);
        waitFor(
                browser,
                b -> "open".equals(b.findElement(By.id("connection-state")).getAttribute("data-state")));
        script(browser, "arguments[0].muted = true; arguments[0].play();", player(browser));
        waitFor(browser, b -> number(b, "return arguments[0].currentTime;", player(b)) > 0.2);
    }

    static WebElement player(WebDriver browser) {
        return browser.findElement(By.id("player"));
    }

    static boolean overlayShows(WebDriver browser, String text) {
        return overlayItem(browser, text) != null;
    }

    static WebElement overlayItem(WebDriver browser, String text) {
        return browser.findElements(By.cssSelector("#danmaku-layer .danmaku-item")).stream()
                .filter(e -> text.equals(e.getAttribute("textContent")))
                .findFirst()
                .orElse(null);
    }

    static Object script(WebDriver browser, String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    static double number(WebDriver browser, String js, Object... args) {
        return ((Number) script(browser, js, args)).doubleValue();
    }

    static void waitFor(WebDriver browser, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, WAIT).until(condition::apply);
    }

    static void screenshot(WebDriver browser, String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Registers {@code username} and returns a session token for the API. */
    static String register(Client api, String username) {
        String json = "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}";
        assertThat(api.postJson("/api/v1/users", null, json).status()).isEqualTo(201);
        return api.postJson("/api/v1/sessions", null, json).json().path("token").asString();
    }

    /** Waits until the video is READY (its lowest rung published). */
    static void awaitReady(Client api, long videoId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!"READY"
                .equals(api.get("/api/v1/videos/" + videoId, null)
                        .json()
                        .path("status")
                        .asString())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("video " + videoId + " not READY within 90 s");
            }
            Thread.sleep(250);
        }
    }

    /** A real 12-second H.264 clip (320×180, 18 KiB), made with ffmpeg's test source. */
    static byte[] testCard() throws IOException {
        try (InputStream in = Browsers.class.getResourceAsStream("/testcard.mp4")) {
            return in.readAllBytes();
        }
    }
}
