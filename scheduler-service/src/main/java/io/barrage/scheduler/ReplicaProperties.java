package io.barrage.scheduler;

import java.net.InetAddress;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.scheduler.instance-id}: the name this replica uses in claims, leases and the audit log.
 * Unset, it is the host name and a random tag.
 */
@ConfigurationProperties("barrage.scheduler")
public record ReplicaProperties(@Nullable String instanceId) {

    /** The configured name, or a fresh host-and-tag name (a new one on every call). */
    public String name() {
        if (instanceId != null && !instanceId.isBlank()) {
            return instanceId;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "scheduler";
        }
        // two replicas on one host (or a restarted pod with the same name) must still differ
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
