/**
 * Periodic jobs whose work belongs to other services (view-count flush, hot-ranking decay, ranking
 * refresh and upload cleanup in video-service; expired-session purge in user-service): the scheduler is
 * the clock. A lease row per job in the scheduler's own database makes each period run once however
 * many replicas tick.
 */
package io.barrage.scheduler.jobs;
