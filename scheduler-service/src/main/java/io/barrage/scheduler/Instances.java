package io.barrage.scheduler;

import java.net.InetAddress;
import java.util.UUID;

/** The name a replica uses in claims, leases and the audit log: configured, or host and a random tag. */
public final class Instances {

    private Instances() {}

    public static String name(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
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
