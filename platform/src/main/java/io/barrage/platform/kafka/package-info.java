/**
 * Kafka plumbing a service needs besides Spring's listeners: following every partition of a topic on
 * every instance, without a consumer group.
 */
@NullMarked
package io.barrage.platform.kafka;

import org.jspecify.annotations.NullMarked;
