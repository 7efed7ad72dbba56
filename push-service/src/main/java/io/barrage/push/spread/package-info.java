/**
 * Hot rooms: a video whose audience outgrows one shard is spread over a set of shards. The owner decides
 * the set and publishes it on the compacted topic {@code push.spread}; every shard and the gateway read
 * that topic from its beginning, and every shard of a set reports its viewers of the video there, so the
 * online count stays exact. See docs/design/hot-rooms.md.
 */
package io.barrage.push.spread;
