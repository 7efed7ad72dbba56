/** video-service: video metadata, the stored objects and streaming them back with HTTP ranges. */
package io.barrage.video;
