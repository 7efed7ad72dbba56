/**
 * Tools for a video's owner: protect a danmaku from recall, report-driven removal and its sender's delete;
 * close a video to new danmaku (403 {@code danmaku-closed}; history stays readable) and open it again.
 * Ownership comes from video-service through the video catalogue.
 */
package io.barrage.danmaku.uploader;
