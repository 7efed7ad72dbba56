/**
 * Rooms: one per video with viewers in this instance. Viewers' WebSocket sessions, each with its own
 * bounded send queue; danmaku batched per room into frames; online counts and heartbeats.
 */
package io.barrage.push.room;
