package io.barrage.video.transcode;

import tools.jackson.databind.JsonNode;

/**
 * What ffprobe found in a source: the first real video stream (cover art does not count) and the first
 * audio stream. {@code videoPackets} are demuxed, not decoded, so counting them is cheap; a video stream
 * without packets has nothing to decode. The profiles and level say a remuxed rung's CODECS.
 */
record MediaInfo(
        double declaredSeconds,
        int streams,
        String videoCodec,
        String pixelFormat,
        int width,
        int height,
        double fps,
        long videoPackets,
        String audioCodec,
        String videoProfile,
        int videoLevel,
        String audioProfile) {

    boolean hasVideo() {
        return videoCodec != null;
    }

    boolean hasAudio() {
        return audioCodec != null;
    }

    /** The duration the packets support (frames / rate); 0 when unknown. */
    double packetSeconds() {
        return fps > 0 ? videoPackets / fps : 0;
    }

    static MediaInfo parse(JsonNode root) {
        double declared = number(root.path("format").path("duration").asString(""));
        int streams = root.path("streams").size();
        JsonNode video = null;
        JsonNode audio = null;
        for (JsonNode stream : root.path("streams")) {
            String type = stream.path("codec_type").asString("");
            if ("video".equals(type)
                    && video == null
                    && stream.path("disposition").path("attached_pic").asInt(0) == 0) {
                video = stream;
            } else if ("audio".equals(type) && audio == null) {
                audio = stream;
            }
        }
        if (video == null) {
            return new MediaInfo(
                    declared,
                    streams,
                    null,
                    null,
                    0,
                    0,
                    0,
                    0,
                    audio == null ? null : codec(audio),
                    "",
                    0,
                    audio == null ? "" : audio.path("profile").asString(""));
        }
        double fps = rate(video.path("avg_frame_rate").asString(""));
        if (fps <= 0) {
            fps = rate(video.path("r_frame_rate").asString(""));
        }
        return new MediaInfo(
                declared,
                streams,
                codec(video),
                video.path("pix_fmt").asString(""),
                video.path("width").asInt(0),
                video.path("height").asInt(0),
                fps,
                (long) number(video.path("nb_read_packets").asString("0")),
                audio == null ? null : codec(audio),
                video.path("profile").asString(""),
                video.path("level").asInt(0),
                audio == null ? "" : audio.path("profile").asString(""));
    }

    private static String codec(JsonNode stream) {
        String name = stream.path("codec_name").asString("");
        return name.isEmpty() ? "unknown" : name;
    }

    private static double rate(String fraction) {
        int slash = fraction.indexOf('/');
        if (slash < 0) {
            return number(fraction);
        }
        double num = number(fraction.substring(0, slash));
        double den = number(fraction.substring(slash + 1));
        return den > 0 ? num / den : 0;
    }

    private static double number(String text) {
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) && value > 0 ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
