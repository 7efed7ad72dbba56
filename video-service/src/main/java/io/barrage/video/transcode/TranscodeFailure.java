package io.barrage.video.transcode;

/**
 * An attempt that failed. {@code permanent}: the source itself is the problem (not a video, past a cap),
 * so no retry can help; otherwise the job is tried again with backoff. {@code reason} is the stable code
 * the owner sees ({@code failureReason}), {@code message} the readable text.
 */
class TranscodeFailure extends Exception {

    private final String reason;
    private final boolean permanent;

    TranscodeFailure(String reason, String message, boolean permanent) {
        super(message);
        this.reason = reason;
        this.permanent = permanent;
    }

    String reason() {
        return reason;
    }

    boolean permanent() {
        return permanent;
    }
}
