/** scheduler-service: deferred deletion of videos and, later, the other periodic jobs. */
package io.barrage.scheduler;
