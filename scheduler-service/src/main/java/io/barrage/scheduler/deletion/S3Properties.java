package io.barrage.scheduler.deletion;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Where the object store is; all four come from the environment, never from the repository. */
@ConfigurationProperties("barrage.s3")
record S3Properties(String endpoint, String accessKey, String secretKey, String bucket) {}
