package io.barrage.video.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.TestInfra;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The viewers' presigned URLs, checked by the real S3 store and against the MinIO client's own. */
class ViewerUrlSignerTest {

    private final Infra infra = TestInfra.get();
    private final ViewerUrlSigner signer = new ViewerUrlSigner(
            infra.s3Endpoint(), "us-east-1", infra.s3AccessKey(), infra.s3SecretKey(), Infra.BUCKET, Clock.systemUTC());
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theStoreServesAnObjectThroughASignedUrl() throws Exception {
        byte[] bytes = put("signer-test/served/seg_00000.ts", 20_000);

        HttpResponse<byte[]> response =
                get(signer.presignedGet("signer-test/served/seg_00000.ts", Duration.ofMinutes(5)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
    }

    @Test
    void aUrlPastItsExpiryIsRefusedByTheStore() throws Exception {
        put("signer-test/expired/seg_00000.ts", 1_000);
        String url = signer.presignedGet(
                "signer-test/expired/seg_00000.ts",
                Duration.ofSeconds(60),
                Instant.now().minus(Duration.ofHours(1)));

        assertThat(get(url).statusCode()).isEqualTo(403);
    }

    @Test
    void aSignatureOpensOnlyTheObjectItWasMadeFor() throws Exception {
        put("signer-test/one/seg_00000.ts", 1_000);
        put("signer-test/one/seg_00001.ts", 1_000);
        String url = signer.presignedGet("signer-test/one/seg_00000.ts", Duration.ofMinutes(5));

        assertThat(get(url.replace("seg_00000.ts", "seg_00001.ts")).statusCode())
                .isEqualTo(403);
    }

    @Test
    void itsUrlsAreTheOnesTheMinioClientMakes() throws Exception {
        MinioClient minio = MinioClient.builder()
                .endpoint(infra.s3Endpoint())
                .region("us-east-1")
                .credentials(infra.s3AccessKey(), infra.s3SecretKey())
                .build();
        for (String key : new String[] {"videos/42/hls/720p/seg_00017.ts", "videos/42/original", "a b/ü+&=.ts"}) {
            String ours;
            String theirs;
            do { // both are signed for the current second: sign again should a second pass in between
                theirs = minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                        .method(Method.GET)
                        .bucket(Infra.BUCKET)
                        .object(key)
                        .expiry(600, TimeUnit.SECONDS)
                        .build());
                ours = signer.presignedGet(key, Duration.ofMinutes(10));
            } while (!date(ours).equals(date(theirs)));
            assertThat(ours).as(key).isEqualTo(theirs);
        }
    }

    private static String date(String url) {
        return url.replaceAll(".*X-Amz-Date=([0-9TZ]+).*", "$1");
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] put(String key, int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        infra.putObject(key, bytes);
        return bytes;
    }
}
