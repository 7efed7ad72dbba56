package io.barrage.video.upload;

/** The bytes claim to be a video container but their structure does not hold together. */
class InvalidVideoException extends Exception {

    InvalidVideoException(String message) {
        super(message);
    }
}
