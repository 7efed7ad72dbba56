package io.barrage.e2e;

import static io.barrage.e2e.Browsers.WAIT;
import static io.barrage.e2e.Browsers.number;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * Acting on a danmaku in two real browsers: a danmaku its sender recalls leaves the other viewer's screen, and the
 * density curve with a labelled hot moment is drawn on the seek bar, the moment seeking there when
 * clicked. Screenshots land in target/screenshots.
 */
class DanmakuActionsBrowserTest {

    private final Browsers browsers = new Browsers();

    @AfterEach
    void closeBrowsers() {
        browsers.close();
    }

    @Test
    void aDanmakuItsSenderRecallsLeavesTheOtherViewersScreen() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String owner = "rc_owner_" + System.nanoTime() % 100000;
        String sender = "rc_sender_" + System.nanoTime() % 100000;
        String viewer = "rc_viewer_" + System.nanoTime() % 100000;
        String ownerToken = register(api, owner);
        register(api, sender);
        register(api, viewer);
        long videoId = upload(api, ownerToken, "Recall");

        WebDriver mine = browsers.logIn(base, sender);
        WebDriver theirs = browsers.logIn(base, viewer);
        for (WebDriver browser : List.of(mine, theirs)) {
            watch(browser, base, videoId);
        }
        String text = "oops wrong video " + System.nanoTime() % 1000;
        mine.findElement(By.id("danmaku-input")).sendKeys(text);
        mine.findElement(By.id("danmaku-send")).click();
        for (WebDriver browser : List.of(mine, theirs)) {
            waitFor(browser, b -> overlayShows(b, text));
            waitFor(browser, b -> b.findElement(By.id("danmaku-list")).getText().contains(text));
        }
        // stored before it is recalled (a recall of a danmaku still on its way answers 409, retry later)
        waitFor(mine, b -> history(api, videoId).contains(text));

        By recall = By.xpath("//li[contains(@class,'danmaku-row')][.//span[@class='text' and text()='" + text
                + "']]//button[@data-testid='recall']");
        waitFor(mine, b -> !b.findElements(recall).isEmpty());
        // the other viewer has no recall button for someone else's danmaku
        assertThat(theirs.findElements(recall)).isEmpty();
        screenshot(mine, "recall-before");
        mine.findElement(recall).click();
        waitFor(mine, b -> b.findElement(By.id("list-status")).getText().startsWith("Recalled."));

        waitFor(theirs, b -> !b.findElement(By.id("danmaku-list")).getText().contains(text));
        waitFor(theirs, b -> !overlayShows(b, text));
        assertThat(history(api, videoId)).doesNotContain(text);
        screenshot(theirs, "recall-after-other-viewer");
    }

    @Test
    void theDensityCurveAndALabelledMomentAreOnTheSeekBarAndClickingTheMomentSeeksThere() throws Exception {
        String base = E2eStack.gatewayUrl();
        Client api = new Client(base);
        String owner = "dn_owner_" + System.nanoTime() % 100000;
        List<String> tokens = new ArrayList<>();
        String ownerToken = register(api, owner);
        tokens.add(ownerToken);
        tokens.add(register(api, "dn_a_" + System.nanoTime() % 100000));
        tokens.add(register(api, "dn_b_" + System.nanoTime() % 100000));
        long videoId = upload(api, ownerToken, "Hot moments");

        // a quiet start, then the crowd shouts at 10–12 s (the 12-second clip's third 5 s bucket)
        List<String[]> conversation = new ArrayList<>();
        conversation.add(new String[] {"hello", "1000"});
        conversation.add(new String[] {"nice colours", "6000"});
        for (String shout : List.of("前方高能", "前方高能！", "前方高能预警", "啊啊前方高能", "前方高能!!", "真的前方高能", "前方高能来了", "前方高能 233")) {
            conversation.add(new String[] {shout, "10500"});
        }
        for (int i = 0; i < conversation.size(); i++) {
            String json = "{\"text\":\"" + conversation.get(i)[0] + "\",\"playbackMs\":"
                    + conversation.get(i)[1] + "}";
            Client.Response sent = api.postJson("/api/v1/videos/" + videoId + "/danmaku", tokens.get(i % 3), json);
            assertThat(sent.status()).as(new String(sent.body())).isEqualTo(201);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!api.get("/api/v1/videos/" + videoId + "/danmaku/moments", null)
                .json()
                .path("moments")
                .toString()
                .contains("前方高能")) {
            assertThat(System.nanoTime()).as("moment not labelled within 20 s").isLessThan(deadline);
            Thread.sleep(250);
        }

        WebDriver browser = signUpAndLogIn(base, "dn_viewer_" + System.nanoTime() % 100000, api);
        watch(browser, base, videoId);
        script(browser, "arguments[0].pause(); arguments[0].currentTime = 0;", player(browser));

        WebElement curve = browser.findElement(By.cssSelector("#seek-bar [data-testid=density-curve]"));
        waitFor(browser, b -> "10".equals(curve.getAttribute("data-total")));
        assertThat(browser.findElement(By.cssSelector("#seek-bar .density-curve path"))
                        .getAttribute("d"))
                .startsWith("M0,100");
        By marker = By.cssSelector("#seek-bar [data-testid=moment-marker]");
        waitFor(
                browser,
                b -> !b.findElements(marker).isEmpty()
                        && b.findElement(marker).isDisplayed()
                        && b.findElement(marker).getText().contains("前方高能"));
        assertThat(browser.findElement(marker).getAttribute("data-start-ms")).isEqualTo("5000");
        screenshot(browser, "density-and-moment");

        browser.findElement(marker).click();
        waitFor(browser, b -> {
            double t = number(b, "return arguments[0].currentTime;", player(b));
            return t >= 4.9 && t < 6.5;
        });
        // "jump to the best moments" goes there too
        script(browser, "arguments[0].currentTime = 0;", player(browser));
        browser.findElement(By.cssSelector("[data-testid=best-moment]")).click();
        waitFor(browser, b -> {
            double t = number(b, "return arguments[0].currentTime;", player(b));
            return t >= 4.9 && t < 6.5;
        });
    }

    private static String history(Client api, long videoId) {
        return api.get("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=60000", null)
                .json()
                .path("items")
                .toString();
    }

    private static long upload(Client api, String token, String title) throws Exception {
        long videoId = api.upload(token, "testcard.mp4", "video/mp4", testCard(), Map.of("title", title))
                .json()
                .path("id")
                .asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!"READY"
                .equals(api.get("/api/v1/videos/" + videoId, null)
                        .json()
                        .path("status")
                        .asString())) {
            assertThat(System.nanoTime()).as("video not READY within 90 s").isLessThan(deadline);
            Thread.sleep(250);
        }
        return videoId;
    }

    private WebDriver signUpAndLogIn(String base, String username, Client api) throws IOException {
        register(api, username);
        return browsers.logIn(base, username);
    }
}
