package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Deferred deletion through the real services: a deleted video, its objects, its danmaku and its row are
 * all gone after the grace period (15 s in the e2e stack), checked in the real stores, and the audit says
 * what was removed.
 */
class PurgeTest {

    /** The statuses a deletion ends in; it is PENDING (or not recorded yet) until then. */
    private static final Set<String> FINISHED = Set.of("DONE", "CANCELLED", "FAILED");

    @Test
    void aDeletedVideoIsPurgedCompletelyAfterTheGracePeriod() throws Exception {
        LocalStack stack = E2eStack.get();
        Client client = new Client(stack.options().gatewayUrl());
        String name = "purger_" + System.nanoTime() % 100000;
        assertThat(client.postJson(
                                "/api/v1/users",
                                null,
                                "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"}")
                        .status())
                .isEqualTo(201);
        String token = client.postJson(
                        "/api/v1/sessions",
                        null,
                        "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"}")
                .json()
                .path("token")
                .asString();
        byte[] clip;
        try (var in = PurgeTest.class.getResourceAsStream("/testcard.mp4")) {
            clip = in.readAllBytes();
        }
        Client.Response created = client.upload(token, "gone.mp4", "video/mp4", clip, Map.of("title", "Soon gone"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long videoId = created.json().path("id").asLong();
        // the ladder's objects (hls/, storyboard/) must go with the purge too
        await().atMost(Duration.ofSeconds(120))
                .until(() -> client.get("/api/v1/videos/" + videoId, token)
                        .json()
                        .path("processing")
                        .isNull());
        for (int i = 0; i < 3; i++) {
            Client.Response sent = client.postJson(
                    "/api/v1/videos/" + videoId + "/danmaku",
                    token,
                    "{\"text\":\"bye " + i + "\",\"playbackMs\":" + i + "}");
            assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.get("/api/v1/videos/" + videoId + "/danmaku", null)
                                .json()
                                .path("items")
                                .size()
                        == 3);
        Infra infra = stack.infra();
        MinioClient s3 = MinioClient.builder()
                .endpoint(infra.s3Endpoint())
                .credentials(infra.s3AccessKey(), infra.s3SecretKey())
                .build();
        assertThat(objectsOf(s3, videoId)).isNotEmpty();

        assertThat(client.send("DELETE", "/api/v1/videos/" + videoId, token, null, null)
                        .status())
                .isEqualTo(204);
        assertThat(client.get("/api/v1/videos/" + videoId, null).status()).isEqualTo(404);

        Client video = new Client("http://127.0.0.1:" + stack.options().port(Service.VIDEO));
        Client scheduler = new Client("http://127.0.0.1:" + stack.options().port(Service.SCHEDULER));
        Client danmaku = new Client("http://127.0.0.1:" + stack.options().port(Service.DANMAKU));
        String credential = infra.serviceToken();
        // the purge's last commit sets DONE and appends PURGED together, after video-service has purged the
        // row; a 404 from video-service alone can be read before that commit
        JsonNode audit = await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> scheduler
                                .get(
                                        "/internal/v1/deletions/" + videoId + "/audit",
                                        null,
                                        "X-Service-Token",
                                        credential)
                                .json(),
                        a -> FINISHED.contains(a.path("deletion").path("status").asString("")));
        assertThat(audit.path("deletion").path("status").asString(""))
                .as(audit.toString())
                .isEqualTo("DONE");

        assertThat(video.get("/internal/v1/videos/" + videoId, null, "X-Service-Token", credential)
                        .status())
                .isEqualTo(404);
        assertThat(objectsOf(s3, videoId))
                .as("objects under videos/%d/", videoId)
                .isEmpty();
        JsonNode counts = danmaku.get(
                        "/internal/v1/danmaku/counts?videoIds=" + videoId, null, "X-Service-Token", credential)
                .json();
        assertThat(counts.path("counts").path(Long.toString(videoId)).asLong()).isZero();
        assertThat(client.get("/api/v1/videos/" + videoId + "/danmaku", null)
                        .json()
                        .path("items")
                        .size())
                .isZero();
        List<String> actions = new ArrayList<>();
        audit.path("entries").forEach(e -> actions.add(e.path("action").asString()));
        assertThat(actions).contains("REQUESTED", "OBJECTS_REMOVED", "DANMAKU_REMOVED", "PURGED");
        assertThat(audit.path("deletion").path("danmakuRemoved").asLong()).isEqualTo(3);
        assertThat(audit.path("deletion").path("objectsRemoved").asLong()).isGreaterThanOrEqualTo(1);
    }

    private static List<String> objectsOf(MinioClient s3, long videoId) throws Exception {
        List<String> keys = new ArrayList<>();
        for (var item : s3.listObjects(ListObjectsArgs.builder()
                .bucket(Infra.BUCKET)
                .prefix("videos/" + videoId + "/")
                .recursive(true)
                .build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }
}
