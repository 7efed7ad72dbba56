/**
 * Uploads: recognising the container by its magic bytes, streaming the part to the bucket while a box
 * parser reads the MP4/MOV metadata (duration, size) out of the same bytes, and leaving nothing behind
 * when anything fails.
 */
package io.barrage.video.upload;
