/**
 * Views and rankings: the per-viewer debounced view counter in Redis, its batched flush to MariaDB, the
 * views not yet flushed that the catalogue adds to what it serves, the decayed hot ranking, and the internal
 * job endpoints scheduler-service calls.
 */
package io.barrage.video.stats;
