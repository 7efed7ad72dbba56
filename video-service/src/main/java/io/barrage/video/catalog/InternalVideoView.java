package io.barrage.video.catalog;

/** What other services may know about any video, deleted ones included. */
record InternalVideoView(long id, long ownerId, long durationMs, VideoStatus status) {}
