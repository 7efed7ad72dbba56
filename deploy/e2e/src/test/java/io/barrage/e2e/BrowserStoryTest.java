package io.barrage.e2e;

import static io.barrage.e2e.Browsers.PASSWORD;
import static io.barrage.e2e.Browsers.awaitReady;
import static io.barrage.e2e.Browsers.number;
import static io.barrage.e2e.Browsers.overlayItem;
import static io.barrage.e2e.Browsers.overlayShows;
import static io.barrage.e2e.Browsers.player;
import static io.barrage.e2e.Browsers.register;
import static io.barrage.e2e.Browsers.screenshot;
import static io.barrage.e2e.Browsers.script;
import static io.barrage.e2e.Browsers.testCard;
import static io.barrage.e2e.Browsers.waitFor;
import static io.barrage.e2e.Browsers.watch;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's story in two real browsers (Debian's headless Chromium): each logs in through the page,
 * opens the same video and plays it; one seeks (HTTP Range); a danmaku sent from one page flies across
 * both overlays; after a reload it comes back from history at its playback time. Then the other things
 * a user does through the pages: taking a danmaku back, upload with a progress bar until the video plays,
 * delete and restore from "my videos", the human sentences for errors, and the live connection coming
 * back after a drop.
 * Screenshots land in target/screenshots.
 */
class BrowserStoryTest {

    private final Browsers browsers = new Browsers();

    @AfterEach
    void closeBrowsers() {
        browsers.close();
    }

    @Test
    void aDanmakuSentInOneBrowserFliesInBothAndReturnsFromHistory() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String uploader = "uploader_" + System.nanoTime() % 100000;
        String viewer = "viewer_" + System.nanoTime() % 100000;
        String uploaderToken = register(api, uploader);
        register(api, viewer);
        long videoId = api.upload(uploaderToken, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Test card"))
                .json()
                .path("id")
                .asLong();

        WebDriver sender = browsers.logIn(base, uploader);
        WebDriver watcher = browsers.logIn(base, viewer);
        for (WebDriver browser : List.of(sender, watcher)) {
            watch(browser, base, videoId);
        }

        // Seeking asks the server for a byte range; the player gets there and can play on.
        script(watcher, "arguments[0].currentTime = 6;", player(watcher));
        waitFor(
                watcher,
                b -> number(b, "return arguments[0].currentTime;", player(b)) >= 6
                        && number(b, "return arguments[0].readyState;", player(b)) >= 3);
        assertThat(number(watcher, "return arguments[0].duration;", player(watcher)))
                .isBetween(11.0, 13.0);
        waitFor(watcher, b -> "2".equals(b.findElement(By.id("online-count")).getAttribute("data-count")));

        String text = "hello from the browser " + System.nanoTime() % 1000;
        sender.findElement(By.id("danmaku-input")).sendKeys(text);
        sender.findElement(By.id("danmaku-send")).click();
        for (WebDriver browser : List.of(sender, watcher)) {
            waitFor(browser, b -> overlayShows(b, text));
        }
        WebElement shown = overlayItem(watcher, text);
        assertThat(shown.getAttribute("data-seq")).isNotBlank();
        assertThat(shown.getAttribute("data-id")).isNotBlank();
        // the renderer's own account of what it shows agrees with the DOM
        assertThat(String.valueOf(script(
                        watcher,
                        "return window.__barrage.renderer.active().filter(d => d.text === arguments[0]).length;",
                        text)))
                .isEqualTo("1");
        // and the list panel has it too
        waitFor(watcher, b -> b.findElement(By.id("danmaku-list")).getText().contains(text));
        screenshot(sender, "two-browsers-sender");
        screenshot(watcher, "two-browsers-watcher");

        // A reload forgets everything live; the danmaku comes back from history at its playback time.
        watcher.navigate().refresh();
        waitFor(
                watcher,
                b -> "open".equals(b.findElement(By.id("connection-state")).getAttribute("data-state")));
        assertThat(overlayShows(watcher, text)).isFalse();
        long playbackMs = api.get("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=60000", null)
                .json()
                .path("items")
                .valueStream()
                .filter(d -> d.path("text").asString().equals(text))
                .findFirst()
                .orElseThrow()
                .path("playbackMs")
                .asLong();
        script(
                watcher,
                "arguments[0].muted = true; arguments[0].currentTime = arguments[1]; arguments[0].play();",
                player(watcher),
                Math.max(0, playbackMs / 1000.0 - 0.5));
        waitFor(watcher, b -> overlayShows(b, text));

        // The sender takes it back from the list: it leaves the other viewer's page live, and history.
        waitFor(watcher, b -> b.findElement(By.id("danmaku-list")).getText().contains(text));
        sender.findElement(By.cssSelector("#danmaku-list button[aria-label='Delete your danmaku “" + text + "”']"))
                .click();
        waitFor(sender, b -> b.findElement(By.id("list-status")).getText().equals("Your danmaku was deleted."));
        waitFor(watcher, b -> !b.findElement(By.id("danmaku-list")).getText().contains(text));
        assertThat(overlayShows(watcher, text)).isFalse();
        assertThat(api.get("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=60000", null)
                        .json()
                        .path("items")
                        .valueStream()
                        .map(d -> d.path("text").asString()))
                .doesNotContain(text);
    }

    @Test
    void anUploadThroughThePageShowsProgressUntilTheVideoPlays() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String uploader = "pageup_" + System.nanoTime() % 100000;
        register(api, uploader);
        WebDriver browser = browsers.logIn(base, uploader);
        Path file = Files.createTempDirectory("barrage-upload-").resolve("my_test_card.mp4");
        try (InputStream in = BrowserStoryTest.class.getResourceAsStream("/testcard.mp4")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        browser.findElement(By.id("upload-file")).sendKeys(file.toAbsolutePath().toString());
        // the title defaults to the file name, readable
        assertThat(browser.findElement(By.id("upload-title")).getAttribute("value"))
                .isEqualTo("my test card");
        browser.findElement(By.id("upload-submit")).click();
        waitFor(
                browser,
                b -> "100".equals(b.findElement(By.id("upload-progress")).getAttribute("data-percent")));
        assertThat(browser.findElement(By.id("upload-progress")).getAttribute("value"))
                .isEqualTo("100");
        new WebDriverWait(browser, Duration.ofSeconds(90))
                .until(b -> "READY"
                        .equals(b.findElement(By.id("upload-video-status")).getAttribute("data-status")));
        assertThat(browser.findElement(By.id("upload-status")).getText()).contains("Ready to watch.");
        screenshot(browser, "upload-ready");

        browser.findElement(By.id("upload-watch-link")).click();
        waitFor(
                browser,
                b -> "my test card".equals(b.findElement(By.id("video-title")).getText()));
        script(browser, "arguments[0].muted = true; arguments[0].play();", player(browser));
        waitFor(browser, b -> number(b, "return arguments[0].currentTime;", player(b)) > 0.5);
    }

    @Test
    void aVideoDeletedFromMyVideosCanBeRestoredThere() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String owner = "restorer_" + System.nanoTime() % 100000;
        String token = register(api, owner);
        long videoId = api.upload(token, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Keep me"))
                .json()
                .path("id")
                .asLong();
        awaitReady(api, videoId);
        WebDriver browser = browsers.logIn(base, owner);
        browser.get(base + "/my.html");
        By row = By.cssSelector("[data-testid=my-video][data-video-id='" + videoId + "']");
        waitFor(browser, b -> !b.findElements(row).isEmpty());
        browser.findElement(row)
                .findElement(By.cssSelector("[data-action=delete]"))
                .click();
        waitFor(browser, b -> b.findElement(row).getText().contains("Deleted. You can restore it"));
        assertThat(api.get("/api/v1/videos/" + videoId, null).status()).isEqualTo(404);
        screenshot(browser, "my-videos-deleted");

        browser.findElement(row)
                .findElement(By.cssSelector("[data-action=restore]"))
                .click();
        waitFor(browser, b -> b.findElement(row).getText().contains("Restored."));
        assertThat(api.get("/api/v1/videos/" + videoId, null).status()).isEqualTo(200);
    }

    @Test
    void errorsAreShownAsSentencesNextToWhatCausedThem() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String user = "errs_" + System.nanoTime() % 100000;
        String token = register(api, user);
        WebDriver browser = browsers.loginPage(base);
        browser.findElement(By.id("login-username")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys("not the password");
        browser.findElement(By.id("login-submit")).click();
        waitFor(browser, b -> b.findElement(By.id("login-password-error")).isDisplayed());
        assertThat(browser.findElement(By.id("login-password-error")).getText())
                .isEqualTo("Wrong username or password.");
        assertThat(browser.findElement(By.id("login-password")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        screenshot(browser, "login-error");

        long videoId = api.upload(token, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Errors"))
                .json()
                .path("id")
                .asLong();
        awaitReady(api, videoId);
        browser.findElement(By.id("login-password")).clear();
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-submit")).click();
        waitFor(browser, b -> "user".equals(b.findElement(By.id("session")).getAttribute("data-state")));
        watch(browser, base, videoId);
        browser.findElement(By.id("danmaku-input")).sendKeys("x".repeat(150));
        browser.findElement(By.id("danmaku-send")).click();
        waitFor(browser, b -> b.findElement(By.id("danmaku-status")).isDisplayed());
        assertThat(browser.findElement(By.id("danmaku-status")).getText())
                .isEqualTo("A danmaku can be at most 100 characters long.");
        // a refusal by the server reads as a sentence too: a send to a video that does not exist
        Object problem = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "import('/assets/api.js').then(api => api.sendDanmaku('999999999', {text: 'hi', playbackMs: 0,"
                        + " mode: 'SCROLL', color: 1}).then(() => done('sent'), e => done(api.errorMessage(e))));");
        assertThat(String.valueOf(problem)).isEqualTo("This video does not exist or was deleted.");
    }

    @Test
    void aDroppedLiveConnectionShowsReconnectingAndResumes() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String sender = "rc_sender_" + System.nanoTime() % 100000;
        String viewer = "rc_viewer_" + System.nanoTime() % 100000;
        String senderToken = register(api, sender);
        register(api, viewer);
        long videoId = api.upload(senderToken, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Reconnect"))
                .json()
                .path("id")
                .asLong();
        awaitReady(api, videoId);
        WebDriver browser = browsers.logIn(base, viewer);
        watch(browser, base, videoId);
        script(
                browser,
                "const node = document.getElementById('connection-state'); window.__states = [];"
                        + "new MutationObserver(() => window.__states.push(node.dataset.state + '|' + node.textContent))"
                        + ".observe(node, {attributes: true, childList: true});"
                        + "window.__barrage.live.drop();");
        waitFor(
                browser,
                b -> String.valueOf(script(b, "return window.__states.join(',');"))
                        .contains("reconnecting|Reconnecting…"));
        waitFor(
                browser,
                b -> "open".equals(b.findElement(By.id("connection-state")).getAttribute("data-state")));

        // live again: a danmaku sent now arrives on this page's overlay
        String text = "after the drop " + System.nanoTime() % 1000;
        String json = "{\"text\":\"" + text + "\",\"playbackMs\":500}";
        assertThat(api.postJson("/api/v1/videos/" + videoId + "/danmaku", senderToken, json)
                        .status())
                .isEqualTo(201);
        waitFor(browser, b -> overlayShows(b, text));
        screenshot(browser, "reconnected");
    }

    /**
     * What phones record (HEVC in MP4) used to upload fine and then refuse to play in Chromium.
     * Through the ladder it plays with hls.js; the quality menu switches rungs, the seek bar shows the
     * storyboard's frame of the moment under the pointer, and danmaku still fly over the player.
     */
    @Test
    void anHevcUploadPlaysThroughTheLadderWithAQualityMenuASeekPreviewAndDanmaku() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String owner = "phone_" + System.nanoTime() % 100000;
        String token = register(api, owner);
        long videoId = api.upload(token, "phone.mp4", "video/mp4", hevcClip(), Map.of("title", "From a phone"))
                .json()
                .path("id")
                .asLong();
        // every rung (none above the 360p source) and the storyboard done; the owner sees it meanwhile
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        var video = api.get("/api/v1/videos/" + videoId, token).json();
        while (!("READY".equals(video.path("status").asString())
                && video.path("processing").isEmpty()
                && video.path("storyboardUrl").isString())) {
            assertThat(video.path("status").asString()).as("%s", video).isNotEqualTo("FAILED");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ladder not complete within 180 s: " + video);
            }
            Thread.sleep(500);
            video = api.get("/api/v1/videos/" + videoId, token).json();
        }
        assertThat(video.path("streamUrl").asString()).endsWith("/hls/master.m3u8");

        WebDriver browser = browsers.logIn(base, owner);
        watch(browser, base, videoId);
        assertThat(script(browser, "return window.__barrage.player.engine();")).isEqualTo("hls.js");
        double started = number(browser, "return arguments[0].currentTime;", player(browser));
        waitFor(browser, b -> number(b, "return arguments[0].currentTime;", player(b)) > started + 0.5);

        // the quality menu: Auto and each rung, highest first
        WebElement quality = browser.findElement(By.id("quality-select"));
        waitFor(browser, b -> quality.isDisplayed());
        List<String> labels = quality.findElements(By.tagName("option")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(labels.getFirst()).startsWith("Auto");
        assertThat(labels.subList(1, labels.size())).containsExactly("360p", "240p");
        // choosing 240p switches hls.js to that level and the picture to 240 lines
        new org.openqa.selenium.support.ui.Select(quality).selectByVisibleText("240p");
        script(browser, "arguments[0].currentTime = 0; arguments[0].play();", player(browser));
        waitFor(
                browser,
                b -> number(
                                        b,
                                        "const p = window.__barrage.player;"
                                                + " return p.levels()[p.playingLevel()]?.height ?? -1;")
                                == 240
                        && number(b, "return arguments[0].videoHeight;", player(b)) == 240);
        assertThat(number(browser, "return window.__barrage.player.manualLevel();"))
                .isEqualTo(number(browser, "return window.__barrage.player.playingLevel();"));
        new org.openqa.selenium.support.ui.Select(quality).selectByIndex(0);
        waitFor(browser, b -> number(b, "return window.__barrage.player.manualLevel();") == -1);

        // the seek preview: hovering the middle of the bar shows a frame from the storyboard sprite
        WebElement bar = browser.findElement(By.id("seek-bar"));
        waitFor(browser, b -> bar.getAttribute("data-storyboard") != null);
        new org.openqa.selenium.interactions.Actions(browser).moveToElement(bar).perform();
        WebElement tile = browser.findElement(By.cssSelector("#seek-bar .seek-tile"));
        waitFor(browser, b -> tile.isDisplayed());
        assertThat(tile.getAttribute("data-src")).contains("/storyboard/").contains("#xywh=");
        assertThat(tile.getSize().getWidth()).isGreaterThan(0);
        Object sprite = ((JavascriptExecutor) browser)
                .executeAsyncScript(
                        "const done = arguments[arguments.length - 1]; const img = new Image();"
                                + " img.onload = () => done(img.naturalWidth); img.onerror = () => done(-1);"
                                + " img.src = arguments[0].split('#')[0];",
                        tile.getAttribute("data-src"));
        assertThat(((Number) sprite).intValue()).isPositive();
        screenshot(browser, "ladder-seek-preview");

        // danmaku still fly over the HLS player
        String text = "hevc plays " + System.nanoTime() % 1000;
        browser.findElement(By.id("danmaku-input")).sendKeys(text);
        browser.findElement(By.id("danmaku-send")).click();
        waitFor(browser, b -> overlayShows(b, text));
        screenshot(browser, "ladder-danmaku");
    }

    /** A 3-second 640×360 HEVC (hvc1) clip with AAC audio in MP4, as a phone records it, made by ffmpeg. */
    private static byte[] hevcClip() throws IOException, InterruptedException {
        Path file = Files.createTempFile("barrage-hevc-", ".mp4");
        try {
            Process ffmpeg = new ProcessBuilder(
                            "ffmpeg",
                            "-v",
                            "error",
                            "-y",
                            "-f",
                            "lavfi",
                            "-i",
                            "testsrc2=size=640x360:rate=30:duration=3",
                            "-f",
                            "lavfi",
                            "-i",
                            "sine=frequency=440:duration=3",
                            "-c:v",
                            "libx265",
                            "-tag:v",
                            "hvc1",
                            "-x265-params",
                            "log-level=error",
                            "-c:a",
                            "aac",
                            "-shortest",
                            "-movflags",
                            "+faststart",
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(ffmpeg.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(ffmpeg.exitValue()).isZero();
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
