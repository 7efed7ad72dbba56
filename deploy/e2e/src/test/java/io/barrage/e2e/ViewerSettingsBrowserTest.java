package io.barrage.e2e;

import static io.barrage.e2e.Browsers.awaitReady;
import static io.barrage.e2e.Browsers.overlayItem;
import static io.barrage.e2e.Browsers.overlayShows;
import static io.barrage.e2e.Browsers.register;
import static io.barrage.e2e.Browsers.screenshot;
import static io.barrage.e2e.Browsers.script;
import static io.barrage.e2e.Browsers.testCard;
import static io.barrage.e2e.Browsers.waitFor;
import static io.barrage.e2e.Browsers.watch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The viewer's danmaku settings in real browsers (Debian's headless Chromium), set up as {@link
 * BrowserStoryTest} is: a block rule set in one browser follows the account into a second browser (its
 * own profile, so nothing is shared but the account), and hidden modes and the display area change what
 * the overlay shows and where. Screenshots land in target/screenshots.
 */
class ViewerSettingsBrowserTest {

    private final Browsers browsers = new Browsers();

    @AfterEach
    void closeBrowsers() {
        browsers.close();
    }

    @Test
    void aRuleSetInOneBrowserAppliesInASecondBrowserOfTheSameAccount() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String uploader = "rules_up_" + System.nanoTime() % 100000;
        String viewer = "rules_viewer_" + System.nanoTime() % 100000;
        String uploaderToken = register(api, uploader);
        String viewerToken = register(api, viewer);
        long videoId = api.upload(uploaderToken, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Rules"))
                .json()
                .path("id")
                .asLong();
        awaitReady(api, videoId);

        WebDriver first = browsers.logIn(base, viewer);
        watch(first, base, videoId);
        openSettings(first);
        String word = "spoiler" + System.nanoTime() % 1000;
        first.findElement(By.id("rule-value")).sendKeys(word);
        first.findElement(By.id("rule-add")).click();
        waitFor(first, b -> b.findElement(By.id("rule-list")).getText().contains(word));
        // saved to the account (the panel marks the version the server answered)
        waitFor(first, b -> b.findElement(By.id("danmaku-settings")).getAttribute("data-saved") != null);
        var stored = api.get("/api/v1/users/me/danmaku-settings", viewerToken).json();
        assertThat(stored.path("rules").valueStream().map(r -> r.path("value").asString()))
                .containsExactly(word);
        assertThat(first.findElement(By.id("settings-source")).getAttribute("data-source"))
                .isEqualTo("account");

        // a second browser, nothing shared with the first but the account
        WebDriver second = browsers.logIn(base, viewer);
        watch(second, base, videoId);
        waitFor(
                second,
                b -> String.valueOf(script(b, "return JSON.stringify(window.__barrage.viewerSettings());"))
                        .contains(word));
        openSettings(second);
        assertThat(second.findElement(By.id("rule-list")).getText()).contains(word);
        assertThat(second.findElement(By.id("settings-offer")).isDisplayed())
                .as("a fresh browser has nothing of its own to offer")
                .isFalse();

        // live danmaku: the blocked one never reaches either overlay or list, the other does
        String blocked = "what a " + word.toUpperCase() + " " + System.nanoTime() % 1000;
        String shown = "fine comment " + System.nanoTime() % 1000;
        assertThat(send(api, uploaderToken, videoId, blocked, "SCROLL")).isEqualTo(201);
        assertThat(send(api, uploaderToken, videoId, shown, "SCROLL")).isEqualTo(201);
        for (WebDriver browser : List.of(first, second)) {
            waitFor(browser, b -> overlayShows(b, shown));
            waitFor(browser, b -> b.findElement(By.id("danmaku-list")).getText().contains(shown));
            assertThat(overlayShows(browser, blocked)).isFalse();
            assertThat(browser.findElement(By.id("danmaku-list")).getText()).doesNotContain(blocked);
        }
        // history too: after a reload the blocked one stays off the list
        second.navigate().refresh();
        waitFor(second, b -> b.findElement(By.id("danmaku-list")).getText().contains(shown));
        assertThat(second.findElement(By.id("danmaku-list")).getText()).doesNotContain(blocked);
        script(second, "window.scrollTo(0, 0);");
        screenshot(second, "settings-second-browser");
    }

    @Test
    void hiddenModesAndTheDisplayAreaTakeEffectOnScreen() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String uploader = "area_up_" + System.nanoTime() % 100000;
        String uploaderToken = register(api, uploader);
        long videoId = api.upload(uploaderToken, "testcard.mp4", "video/mp4", testCard(), Map.of("title", "Area"))
                .json()
                .path("id")
                .asLong();
        awaitReady(api, videoId);

        // an anonymous viewer: the settings live in this browser
        WebDriver browser = browsers.chromium();
        watch(browser, base, videoId);
        openSettings(browser);
        browser.findElement(By.id("setting-show-top")).click();
        new Select(browser.findElement(By.id("setting-area"))).selectByValue("25");
        WebElement layer = browser.findElement(By.id("danmaku-layer"));
        WebElement frame = browser.findElement(By.id("player-frame"));
        waitFor(browser, b -> "25".equals(layer.getAttribute("data-area")));
        double frameHeight = frame.getRect().getHeight();
        assertThat((double) layer.getRect().getHeight()).isBetween(frameHeight * 0.25 - 2, frameHeight * 0.25 + 2);

        String top = "top line " + System.nanoTime() % 1000;
        String bottom = "bottom line " + System.nanoTime() % 1000;
        String scroll = "scroll line " + System.nanoTime() % 1000;
        assertThat(send(api, uploaderToken, videoId, top, "TOP")).isEqualTo(201);
        assertThat(send(api, uploaderToken, videoId, bottom, "BOTTOM")).isEqualTo(201);
        assertThat(send(api, uploaderToken, videoId, scroll, "SCROLL")).isEqualTo(201);
        waitFor(browser, b -> overlayShows(b, scroll) && overlayShows(b, bottom));
        assertThat(overlayShows(browser, top)).as("TOP is hidden").isFalse();
        // everything shown sits in the top quarter of the picture, the bottom mode at the area's bottom
        int areaBottom = frame.getRect().getY() + (int) Math.round(frameHeight * 0.25);
        for (String text : List.of(scroll, bottom)) {
            WebElement item = overlayItem(browser, text);
            assertThat(item.getRect().getY() + item.getRect().getHeight())
                    .as(text)
                    .isLessThanOrEqualTo(areaBottom + 2);
        }
        script(browser, "window.scrollTo(0, 0);");
        screenshot(browser, "settings-area-quarter");

        // they stay after a reload (this browser's copy), and the hidden mode still applies
        browser.navigate().refresh();
        waitFor(
                browser,
                b -> "open".equals(b.findElement(By.id("connection-state")).getAttribute("data-state")));
        assertThat(browser.findElement(By.id("danmaku-layer")).getAttribute("data-area"))
                .isEqualTo("25");
        String topAgain = "top again " + System.nanoTime() % 1000;
        String scrollAgain = "scroll again " + System.nanoTime() % 1000;
        assertThat(send(api, uploaderToken, videoId, topAgain, "TOP")).isEqualTo(201);
        assertThat(send(api, uploaderToken, videoId, scrollAgain, "SCROLL")).isEqualTo(201);
        waitFor(browser, b -> overlayShows(b, scrollAgain));
        assertThat(overlayShows(browser, topAgain)).isFalse();
    }

    private static int send(Client api, String token, long videoId, String text, String mode) {
        String json = "{\"text\":\"" + text + "\",\"playbackMs\":500,\"mode\":\"" + mode + "\"}";
        return api.postJson("/api/v1/videos/" + videoId + "/danmaku", token, json)
                .status();
    }

    private static void openSettings(WebDriver browser) {
        WebElement panel = browser.findElement(By.id("danmaku-settings"));
        if (panel.getAttribute("open") == null) {
            panel.findElement(By.tagName("summary")).click();
        }
        waitFor(browser, b -> b.findElement(By.id("rule-value")).isDisplayed());
    }
}
