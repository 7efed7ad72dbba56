package io.barrage.push.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.push.shard.Shards;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/** The checks on an upgrade request, without a server: each refusal's status, code and headers, in order. */
class RoomUpgradeTest {

    /** A request as the server sees it, with its scheme and host (the origin check compares with them). */
    private static final String SHARD = "http://push-0.local:8084";

    private static final String TOKEN = "a-service-token-long-enough-for-the-rule-0123456789";

    private final Shards shards = twoShards();
    private final RoomUpgrade upgrade = new RoomUpgrade(shards, List.of("https://allowed.example"), TOKEN);

    private static Shards twoShards() {
        Shards shards = new Shards(0, 2);
        shards.partitions(6);
        return shards;
    }

    private final long mine = LongStream.rangeClosed(1, 1000)
            .filter(id -> shards.ownerOf(id) == 0)
            .findFirst()
            .orElseThrow();
    private final long theirs = LongStream.rangeClosed(1, 1000)
            .filter(id -> shards.ownerOf(id) == 1)
            .findFirst()
            .orElseThrow();

    private static MockServerHttpRequest.BaseBuilder<?> handshake(HttpMethod method, String uri) {
        return MockServerHttpRequest.method(method, uri)
                .remoteAddress(new InetSocketAddress("192.0.2.7", 40000))
                .header("Upgrade", "websocket")
                .header("Connection", "Upgrade")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    }

    private RoomUpgrade.Verdict check(MockServerHttpRequest.BaseBuilder<?> request) {
        MockServerHttpRequest built = request.build();
        return upgrade.check(built, built.getPath().pathWithinApplication().value());
    }

    private static RoomUpgrade.Refusal refused(RoomUpgrade.Verdict verdict) {
        assertThat(verdict).isInstanceOf(RoomUpgrade.Refusal.class);
        return (RoomUpgrade.Refusal) verdict;
    }

    @Test
    void aWellFormedHandshakeForThisShardsVideoJoinsItsRoomLiveOrAfterSince() {
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, null, "192.0.2.7", null));
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine + "?since=0")))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, 0L, "192.0.2.7", null));
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine + "?since=41")))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, 41L, "192.0.2.7", null));
    }

    @Test
    void anotherShardsHotVideoJoinsHereWhileThisShardServesItsSpreadSetAndIs421Otherwise() {
        SpreadView servingTheirs = new SpreadView() {
            @Override
            public boolean serves(long videoId) {
                return videoId == theirs;
            }

            @Override
            public int elsewhere(long videoId) {
                return 0;
            }
        };
        RoomUpgrade spread = new RoomUpgrade(shards, servingTheirs, List.of(), TOKEN);
        MockServerHttpRequest hot = handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + theirs + "?since=7")
                .build();

        assertThat(spread.check(hot, hot.getPath().pathWithinApplication().value()))
                .isEqualTo(new RoomUpgrade.Upgrade(theirs, 7L, "192.0.2.7", null));
        assertThat(refused(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + theirs)))
                        .code())
                .isEqualTo("wrong-shard");
    }

    @Test
    void anotherMethodThanGetIs405WithAllowGet() {
        RoomUpgrade.Refusal refusal = refused(check(handshake(HttpMethod.POST, SHARD + "/ws/v1/videos/" + mine)));
        assertThat(refusal.status()).isEqualTo(405);
        assertThat(refusal.code()).isEqualTo("method-not-allowed");
        assertThat(refusal.headers()).containsEntry("Allow", "GET");
    }

    @Test
    void aPathThatDoesNotEndInAVideoIdIs400InvalidRequest() {
        for (String id : List.of("0", "abc", "-3", "12x", "", "1234567890123456789")) {
            RoomUpgrade.Refusal refusal = refused(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + id)));
            assertThat(refusal.status()).as(id).isEqualTo(400);
            assertThat(refusal.code()).as(id).isEqualTo("invalid-request");
        }
    }

    @Test
    void aSinceThatIsNoSeqIs400InvalidRequest() {
        for (String since : List.of("-1", "x", "1.5", "")) {
            RoomUpgrade.Refusal refusal =
                    refused(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine + "?since=" + since)));
            assertThat(refusal.status()).as(since).isEqualTo(400);
            assertThat(refusal.code()).as(since).isEqualTo("invalid-request");
            assertThat(refusal.detail()).contains("since");
        }
    }

    @Test
    void anotherShardsVideoIs421NamingTheOwnerInTheHeaderAndTheBody() {
        RoomUpgrade.Refusal refusal = refused(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + theirs)));
        assertThat(refusal.status()).isEqualTo(421);
        assertThat(refusal.title()).isEqualTo("Misdirected Request");
        assertThat(refusal.code()).isEqualTo("wrong-shard");
        assertThat(refusal.shard()).isEqualTo(1);
        assertThat(refusal.headers()).containsEntry("X-Barrage-Shard", "1");
    }

    @Test
    void aForeignOriginStraightToTheShardIs403ButThroughTheGatewayItWasCheckedThere() {
        RoomUpgrade.Refusal refusal = refused(check(
                handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine).header("Origin", "https://evil.example")));
        assertThat(refusal.status()).isEqualTo(403);
        assertThat(refusal.code()).isEqualTo("origin-not-allowed");

        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("Origin", "not a url")))
                .isInstanceOf(RoomUpgrade.Refusal.class);
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("Origin", "https://allowed.example")))
                .isInstanceOf(RoomUpgrade.Upgrade.class);
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("Origin", "https://evil.example")
                        .header("X-Service-Token", TOKEN)))
                .isInstanceOf(RoomUpgrade.Upgrade.class);
    }

    @Test
    void aPlainRequestOrAnotherWebSocketVersionIs426NamingWhatToAskFor() {
        RoomUpgrade.Refusal plain = refused(check(MockServerHttpRequest.get(SHARD + "/ws/v1/videos/" + mine)));
        assertThat(plain.status()).isEqualTo(426);
        assertThat(plain.code()).isEqualTo("upgrade-required");
        assertThat(plain.headers()).containsEntry("Upgrade", "websocket");

        RoomUpgrade.Refusal version = refused(check(MockServerHttpRequest.get(SHARD + "/ws/v1/videos/" + mine)
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "8")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")));
        assertThat(version.status()).isEqualTo(426);
        assertThat(version.code()).isEqualTo("upgrade-required");
        assertThat(version.headers()).containsEntry("Sec-WebSocket-Version", "13");
    }

    @Test
    void anUpgradeWithoutAKeyIs400InvalidRequest() {
        MockServerHttpRequest.BaseBuilder<?> noKey = MockServerHttpRequest.get(SHARD + "/ws/v1/videos/" + mine)
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13");
        RoomUpgrade.Refusal refusal = refused(check(noKey));
        assertThat(refusal.status()).isEqualTo(400);
        assertThat(refusal.code()).isEqualTo("invalid-request");
        assertThat(refusal.detail()).contains("Sec-WebSocket-Key");
    }

    @Test
    void theFirstFailingCheckAnswersMethodBeforePathBeforeShardBeforeHandshake() {
        assertThat(refused(check(MockServerHttpRequest.post(SHARD + "/ws/v1/videos/abc")))
                        .status())
                .isEqualTo(405);
        assertThat(refused(check(MockServerHttpRequest.get(SHARD + "/ws/v1/videos/abc")))
                        .status())
                .isEqualTo(400);
        assertThat(refused(check(MockServerHttpRequest.get(SHARD + "/ws/v1/videos/" + theirs)))
                        .status())
                .isEqualTo(421);
        assertThat(refused(check(MockServerHttpRequest.get(SHARD + "/ws/v1/videos/" + mine)
                                .header("Origin", "https://evil.example")))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void onlyTheGatewayVouchesForTheClientsAddressAndUser() {
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("X-Client-Ip", "203.0.113.9")
                        .header("X-User-Id", "42")))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, null, "192.0.2.7", null));
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("X-Service-Token", TOKEN)
                        .header("X-Client-Ip", "203.0.113.9")
                        .header("X-User-Id", "42")))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, null, "203.0.113.9", 42L));
        assertThat(check(handshake(HttpMethod.GET, SHARD + "/ws/v1/videos/" + mine)
                        .header("X-Service-Token", TOKEN)
                        .header("X-Client-Ip", "<script>")
                        .header("X-User-Id", "forty-two")))
                .isEqualTo(new RoomUpgrade.Upgrade(mine, null, "192.0.2.7", null));
    }
}
