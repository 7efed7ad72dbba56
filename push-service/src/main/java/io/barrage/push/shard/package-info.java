/**
 * Which push shard owns which video: the video's Kafka partition (Kafka's own key partitioner over the
 * video id) modulo the shard count. The gateway computes the same function to route a viewer.
 */
package io.barrage.push.shard;
