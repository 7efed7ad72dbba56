package io.barrage.scheduler.deletion;

/** Where a purge stands; each step's completion is committed before the next one starts. */
enum PurgeStep {
    /** Next: remove every object under the video's prefix in the S3 store. */
    OBJECTS,
    /** Next: purge the video's danmaku through danmaku-service, in batches. */
    DANMAKU,
    /** Next: video-service drops the video's Redis keys, then its row. */
    VIDEO,
    DONE
}
