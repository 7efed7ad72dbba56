package io.barrage.scheduler.jobs;

/** What an owner's job endpoint answers: how many items the run handled. */
record JobResult(long items) {}
