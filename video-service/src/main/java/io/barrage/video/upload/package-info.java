/**
 * Uploads and processing. Two ways in: the one-request multipart upload, and resumable tus 1.0 uploads
 * whose parts go to an S3 multipart upload through a per-upload buffer file. Both recognise the container
 * by its magic bytes, create the UPLOADING row first (the server makes the id), and end in the same
 * processing step: PROCESSING while ffprobe (or, without it, the MP4 box parser) describes the video and
 * ffmpeg grabs a thumbnail, then READY, or FAILED when the bytes are not a readable video. Nothing is
 * left behind when an upload is refused or abandoned (the cleanup job aborts stale tus uploads).
 */
package io.barrage.video.upload;
