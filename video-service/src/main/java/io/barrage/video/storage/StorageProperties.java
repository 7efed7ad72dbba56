package io.barrage.video.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code barrage.video.storage.*}: the object store as viewers see it.
 *
 * @param publicEndpoint the store's address as browsers reach it (a CDN, an ingress in front of MinIO):
 *     the URLs handed to clients (segments in presigned playlists, redirects of the original) are signed for
 *     this host, because a signature covers the host and the chart's {@code barrage.s3.endpoint} is a
 *     cluster-internal name. Empty: the internal endpoint, right where both are one address (the local
 *     stack)
 * @param region the store's region, which a signature names; given, so that signing viewers' URLs (for
 *     the public address or the internal one) never asks the store (the public address may be unreachable
 *     from inside the cluster)
 */
@ConfigurationProperties("barrage.video.storage")
public record StorageProperties(
        String publicEndpoint, @DefaultValue("us-east-1") String region) {

    public boolean hasPublicEndpoint() {
        return publicEndpoint != null && !publicEndpoint.isBlank();
    }
}
