/**
 * Routing a video's viewers to the push shard that owns it: the same function push-service uses (the
 * video's Kafka partition modulo the shard count), applied to the push instances' {@code shard} metadata.
 */
package io.barrage.gateway.shard;
