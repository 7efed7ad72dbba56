package io.barrage.scheduler.deletion;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Deletes a video's objects: the original, its renditions and thumbnails, which video-service keeps
 * beside the original ({@code videos/{id}/original}, {@code videos/{id}/…}). Deleting what is already
 * gone counts as success, so the step can run again after a crash.
 */
@Component
class ObjectRemover {

    private final MinioClient client;
    private final String bucket;

    @Autowired
    ObjectRemover(S3Properties properties) {
        this(properties.endpoint(), properties.accessKey(), properties.secretKey(), properties.bucket());
    }

    ObjectRemover(String endpoint, String accessKey, String secretKey, String bucket) {
        this.client = MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .build();
        this.bucket = bucket;
    }

    /** Removes every object of the video; returns how many this call removed. */
    int removeAll(long videoId, String objectKey) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                .bucket(bucket)
                .prefix(prefix(videoId, objectKey))
                .recursive(true)
                .build())) {
            keys.add(result.get().objectName());
        }
        for (String key : keys) {
            remove(key);
        }
        return keys.size();
    }

    /**
     * The folder of the original when it is the video's own folder ({@code …/{id}/}); otherwise only
     * keys starting with the object key itself. Never anything broader: a wrong prefix here would
     * delete other videos.
     */
    static String prefix(long videoId, String objectKey) {
        int slash = objectKey.lastIndexOf('/');
        String folder = slash < 0 ? "" : objectKey.substring(0, slash + 1);
        return folder.endsWith("/" + videoId + "/") || folder.equals(videoId + "/") ? folder : objectKey;
    }

    private void remove(String key) throws Exception {
        try {
            client.removeObject(
                    RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (ErrorResponseException e) {
            if (!"NoSuchKey".equals(e.errorResponse().code())) {
                throw e;
            }
        }
    }
}
