package io.barrage.scheduler.jobs;

import java.time.LocalDateTime;

/** A row of {@code job_lease}; times are UTC. */
class JobLease {

    private String name;
    private String holder;
    private LocalDateTime leaseUntil;
    private LocalDateTime lastStartedAt;
    private LocalDateTime lastSuccessAt;
    private Long lastDurationMs;
    private Long lastItems;
    private String lastError;

    String getName() {
        return name;
    }

    void setName(String name) {
        this.name = name;
    }

    String getHolder() {
        return holder;
    }

    void setHolder(String holder) {
        this.holder = holder;
    }

    LocalDateTime getLeaseUntil() {
        return leaseUntil;
    }

    void setLeaseUntil(LocalDateTime leaseUntil) {
        this.leaseUntil = leaseUntil;
    }

    LocalDateTime getLastStartedAt() {
        return lastStartedAt;
    }

    void setLastStartedAt(LocalDateTime lastStartedAt) {
        this.lastStartedAt = lastStartedAt;
    }

    LocalDateTime getLastSuccessAt() {
        return lastSuccessAt;
    }

    void setLastSuccessAt(LocalDateTime lastSuccessAt) {
        this.lastSuccessAt = lastSuccessAt;
    }

    Long getLastDurationMs() {
        return lastDurationMs;
    }

    void setLastDurationMs(Long lastDurationMs) {
        this.lastDurationMs = lastDurationMs;
    }

    Long getLastItems() {
        return lastItems;
    }

    void setLastItems(Long lastItems) {
        this.lastItems = lastItems;
    }

    String getLastError() {
        return lastError;
    }

    void setLastError(String lastError) {
        this.lastError = lastError;
    }
}
