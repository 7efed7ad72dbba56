package io.barrage.video.catalog;

public enum VideoStatus {
    UPLOADING,
    PROCESSING,
    READY,
    FAILED,
    DELETED
}
