package io.barrage.video.upload;

/** The bytes claim to be a video container but their structure does not hold together, or break a cap. */
class InvalidVideoException extends Exception {

    private final String code;

    InvalidVideoException(String message) {
        this("invalid-video", message);
    }

    InvalidVideoException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The problem's stable code: invalid-video, duration-too-long or resolution-too-large. */
    String code() {
        return code;
    }
}
