package io.barrage.video.upload;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code barrage.video.*}. The upload limit itself is enforced by the multipart parser
 * ({@code spring.servlet.multipart.max-file-size} is set from it), before a byte reaches the bucket.
 */
@ConfigurationProperties("barrage.video")
record VideoUploadProperties(
        @DefaultValue("512MB") DataSize maxUploadSize,
        @DefaultValue("32MB") DataSize maxMetadataSize) {}
