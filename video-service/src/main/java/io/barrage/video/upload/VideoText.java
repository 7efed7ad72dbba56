package io.barrage.video.upload;

import io.barrage.video.web.ApiException;
import org.springframework.http.HttpStatus;

/** The title and description rules, shared by the multipart and the resumable upload. */
final class VideoText {

    private VideoText() {}

    static String title(String title) {
        String clean = title == null ? "" : title.strip();
        int length = clean.codePointCount(0, clean.length());
        if (length < 1 || length > 100 || clean.codePoints().anyMatch(Character::isISOControl)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-title",
                    "title must be 1-100 characters without control characters.");
        }
        return clean;
    }

    static String description(String description) {
        String clean = description == null || description.isBlank() ? null : description.strip();
        if (clean != null && clean.codePointCount(0, clean.length()) > 2000) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-description", "description must be at most 2000 characters.");
        }
        return clean;
    }
}
