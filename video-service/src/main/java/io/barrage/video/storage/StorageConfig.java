package io.barrage.video.storage;

import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class StorageConfig {

    @Bean
    MinioClient minioClient(S3Properties properties) {
        return MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .build();
    }

    /** The multipart calls (create, upload part, complete, abort) are public only on the async client. */
    @Bean
    MinioAsyncClient minioAsyncClient(S3Properties properties) {
        return MinioAsyncClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .build();
    }
}
