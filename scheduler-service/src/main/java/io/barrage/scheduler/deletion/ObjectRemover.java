package io.barrage.scheduler.deletion;

import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.springframework.stereotype.Component;

/** Deletes video objects; deleting one that is already gone counts as success. */
@Component
class ObjectRemover {

    private final MinioClient client;
    private final String bucket;

    ObjectRemover(S3Properties properties) {
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .build();
        this.bucket = properties.bucket();
    }

    void remove(String key) throws Exception {
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
