/**
 * The video catalogue: the {@code video} table, reading and listing videos, soft delete and restore with
 * their {@code video.events}, and the internal API other services use.
 */
package io.barrage.video.catalog;
