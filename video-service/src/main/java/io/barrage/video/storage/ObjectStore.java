package io.barrage.video.storage;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.collect.Multimap;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Part;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The video bucket: streamed puts, ranged gets and removals, never a whole object in memory. */
@Component
public class ObjectStore {

    private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);

    private static final Multimap<String, String> NONE = ImmutableMultimap.of();
    /** A presigned PUT is used at once; this only bounds a request stuck before it is sent. */
    private static final Duration UPLOAD_EXPIRY = Duration.ofMinutes(15);

    private final MinioClient client;
    private final MinioAsyncClient async;
    private final OkHttpClient http;
    private final String bucket;
    /** Signs the URLs viewers get, for the public endpoint when there is one; never sends a request. */
    private final ViewerUrlSigner viewerSigner;

    ObjectStore(
            MinioClient client,
            MinioAsyncClient async,
            OkHttpClient storageHttpClient,
            S3Properties properties,
            StorageProperties storage) {
        this.client = client;
        this.async = async;
        this.http = storageHttpClient;
        this.bucket = properties.bucket();
        this.viewerSigner = new ViewerUrlSigner(
                storage.hasPublicEndpoint() ? storage.publicEndpoint() : properties.endpoint(),
                storage.region(),
                properties.accessKey(),
                properties.secretKey(),
                properties.bucket(),
                Clock.systemUTC());
    }

    /** The JPEG frame made when the video was processed; it lives next to the original. */
    public static String thumbnailKeyFor(long videoId) {
        return "videos/" + videoId + "/thumbnail.jpg";
    }

    /** One uploaded part of a multipart upload. */
    public record PartTag(int number, String etag) {}

    /** An object read whole: its bytes stream, its ETag (unquoted) and length. */
    public record StoredObject(InputStream body, String etag, long size) {}

    public String put(String key, byte[] bytes, String contentType) {
        return put(key, new ByteArrayInputStream(bytes), bytes.length, contentType);
    }

    /** Starts a multipart upload of {@code key} and returns its upload id. */
    public String createMultipart(String key, String contentType) {
        Multimap<String, String> headers = ImmutableMultimap.of("Content-Type", contentType);
        return await(
                        "start a multipart upload of " + key,
                        () -> async.createMultipartUploadAsync(bucket, null, key, headers, NONE))
                .result()
                .uploadId();
    }

    /**
     * Uploads {@code length} bytes of {@code file}, from its current position, as part {@code number}. A
     * file (not a stream) lets the client send the part from disk instead of copying it into memory.
     */
    public String uploadPart(String key, String uploadId, int number, RandomAccessFile file, long length) {
        return unquote(await(
                        "upload part " + number + " of " + key,
                        () -> async.uploadPartAsync(bucket, null, key, file, length, uploadId, number, NONE, NONE))
                .etag());
    }

    /** Assembles the parts into the object and returns its ETag, unquoted. */
    public String completeMultipart(String key, String uploadId, List<PartTag> parts) {
        Part[] list = parts.stream().map(p -> new Part(p.number(), p.etag())).toArray(Part[]::new);
        return unquote(await(
                        "complete the multipart upload of " + key,
                        () -> async.completeMultipartUploadAsync(bucket, null, key, uploadId, list, NONE, NONE))
                .etag());
    }

    /** Best effort: S3 keeps the parts of an unfinished upload (and bills them) until it is aborted. */
    public void abortMultipartQuietly(String key, String uploadId) {
        try {
            await(
                    "abort the multipart upload of " + key,
                    () -> async.abortMultipartUploadAsync(bucket, null, key, uploadId, NONE, NONE));
        } catch (StorageException e) {
            log.warn("could not abort multipart upload {} of {}", uploadId, key, e);
        }
    }

    /**
     * A GET URL for {@code key} that anyone holding it may use until it expires, on the store's internal
     * address (for ffprobe and ffmpeg inside the cluster). Viewers get {@link #presignedGetForViewers}.
     */
    public String presignedGet(String key, Duration expiry) {
        return presign(client, key, expiry);
    }

    /**
     * A GET URL for a viewer's browser: signed for {@code barrage.video.storage.public-endpoint} when set
     * (the internal address otherwise).
     */
    public String presignedGetForViewers(String key, Duration expiry) {
        return viewerSigner.presignedGet(key, expiry);
    }

    private String presign(MinioClient signer, String key, Duration expiry) {
        return presign(signer, io.minio.http.Method.GET, key, expiry);
    }

    private String presign(MinioClient signer, io.minio.http.Method method, String key, Duration expiry) {
        try {
            return signer.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(method)
                    .bucket(bucket)
                    .object(key)
                    .expiry((int) Math.max(1, expiry.toSeconds()), TimeUnit.SECONDS)
                    .build());
        } catch (Exception e) {
            throw new StorageException("could not presign " + key, e);
        }
    }

    /** The whole object, or empty when there is none; the caller closes the body. */
    public Optional<StoredObject> find(String key) {
        try {
            GetObjectResponse response = client.getObject(
                    GetObjectArgs.builder().bucket(bucket).object(key).build());
            String length = response.headers().get("Content-Length");
            return Optional.of(new StoredObject(
                    response, unquote(response.headers().get("ETag")), length == null ? -1 : Long.parseLong(length)));
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw new StorageException("could not read " + key, e);
        } catch (Exception e) {
            throw new StorageException("could not read " + key, e);
        }
    }

    private interface AsyncCall<T> {
        CompletableFuture<T> start() throws Exception;
    }

    private static <T> T await(String what, AsyncCall<T> call) {
        try {
            return call.start().get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            throw new StorageException("could not " + what, e.getCause());
        } catch (Exception e) {
            throw new StorageException("could not " + what, e);
        }
    }

    /** Streams {@code size} bytes from {@code in} into the object and returns its ETag, unquoted. */
    public String put(String key, InputStream in, long size, String contentType) {
        try {
            var response = client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(in, size, -1)
                    .contentType(contentType)
                    .build());
            return unquote(response.etag());
        } catch (Exception e) {
            throw new StorageException("could not store " + key, e);
        }
    }

    /** The bytes {@code offset .. offset+length-1}; the caller closes the stream. */
    public InputStream get(String key, long offset, long length) {
        try {
            return client.getObject(GetObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .offset(offset)
                    .length(length)
                    .build());
        } catch (Exception e) {
            throw new StorageException("could not read " + key, e);
        }
    }

    public boolean exists(String key) {
        try {
            client.statObject(
                    StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw new StorageException("could not stat " + key, e);
        } catch (Exception e) {
            throw new StorageException("could not stat " + key, e);
        }
    }

    /**
     * Uploads a local file (a rung's segment or playlist) and returns its ETag, unquoted. Sent as the body
     * of a presigned PUT, streamed from the file: the signed request {@link #put} makes carries the
     * payload's SHA-256 (and MD5) over plain HTTP, which reads every byte twice more through the JVM, while
     * a presigned URL signs no payload. A transcode publishes ~2.5 bytes of segments per byte of source.
     */
    public String putFile(String key, java.nio.file.Path file, String contentType) {
        String url = presign(client, io.minio.http.Method.PUT, key, UPLOAD_EXPIRY);
        Request request = new Request.Builder()
                .url(url)
                .put(RequestBody.create(file.toFile(), MediaType.get(contentType)))
                .build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new StorageException(
                        "could not store " + key + ": HTTP " + response.code(),
                        new java.io.IOException(response.message()));
            }
            return unquote(response.header("ETag"));
        } catch (java.io.IOException e) {
            throw new StorageException("could not store " + key, e);
        }
    }

    /** Downloads the whole object to a local file (the transcode worker's copy of the source). */
    public void download(String key, java.nio.file.Path target) {
        try (InputStream in = client.getObject(
                GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            java.nio.file.Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new StorageException("could not download " + key, e);
        }
    }

    /** Every key under {@code prefix} (which must end with a slash). */
    public List<String> list(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix must end with / : " + prefix);
        }
        List<String> keys = new java.util.ArrayList<>();
        try {
            for (var result : client.listObjects(io.minio.ListObjectsArgs.builder()
                    .bucket(bucket)
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
                keys.add(result.get().objectName());
            }
        } catch (Exception e) {
            throw new StorageException("could not list " + prefix, e);
        }
        return keys;
    }

    /** Best effort: removes every key under {@code prefix}. */
    public void removePrefixQuietly(String prefix) {
        try {
            list(prefix).forEach(this::removeQuietly);
        } catch (StorageException e) {
            log.warn("could not list {} while cleaning up", prefix, e);
        }
    }

    /** Best effort: used while cleaning up after a failed upload, where the first error matters more. */
    public void removeQuietly(String key) {
        try {
            client.removeObject(
                    RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            log.warn("could not remove {} while cleaning up", key, e);
        }
    }

    private static String unquote(String etag) {
        if (etag == null) {
            return "";
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }
}
