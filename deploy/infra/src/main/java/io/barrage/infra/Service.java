package io.barrage.infra;

import java.util.Optional;

/** The six services, with their default ports and the schema each one owns. */
public enum Service {
    USER("user-service", 8081, "barrage_user"),
    VIDEO("video-service", 8082, "barrage_video"),
    DANMAKU("danmaku-service", 8083, "barrage_danmaku"),
    PUSH("push-service", 8084, null),
    SCHEDULER("scheduler-service", 8085, "barrage_scheduler"),
    GATEWAY("gateway", 8080, null);

    private final String id;
    private final int defaultPort;
    private final String schema;

    Service(String id, int defaultPort, String schema) {
        this.id = id;
        this.defaultPort = defaultPort;
        this.schema = schema;
    }

    /** The module name, which is also {@code spring.application.name}. */
    public String id() {
        return id;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public Optional<String> schema() {
        return Optional.ofNullable(schema);
    }

    public boolean usesObjectStore() {
        return this == VIDEO || this == SCHEDULER;
    }

    public static Service byId(String id) {
        for (Service service : values()) {
            if (service.id.equals(id)) {
                return service;
            }
        }
        throw new IllegalArgumentException("unknown service " + id);
    }
}
