package io.barrage.scheduler.deletion;

enum DeletionStatus {
    PENDING,
    DONE,
    CANCELLED,
    FAILED
}
