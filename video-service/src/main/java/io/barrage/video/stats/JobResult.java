package io.barrage.video.stats;

/** What every job endpoint answers: how many items the run handled. */
record JobResult(long items) {}
