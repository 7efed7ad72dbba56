/**
 * danmaku-service: accepts danmaku (validated, sequenced, acknowledged only once Kafka has them), persists
 * them from {@code danmaku.events} and serves their history.
 */
package io.barrage.danmaku;
