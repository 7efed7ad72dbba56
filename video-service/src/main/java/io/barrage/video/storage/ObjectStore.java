package io.barrage.video.storage;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The video bucket: streamed puts, ranged gets and removals, never a whole object in memory. */
@Component
public class ObjectStore {

    private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);

    private final MinioClient client;
    private final String bucket;

    ObjectStore(MinioClient client, S3Properties properties) {
        this.client = client;
        this.bucket = properties.bucket();
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
