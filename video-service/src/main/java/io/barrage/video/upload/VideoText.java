package io.barrage.video.upload;

import io.barrage.platform.problem.ApiException;
import io.barrage.platform.text.UserText;
import org.springframework.http.HttpStatus;

/**
 * The title and description rules, shared by the multipart and the resumable upload (and the same as a
 * PATCH's, in {@code catalog.VideoEditor}); what characters they may hold is {@link UserText}.
 */
final class VideoText {

    private VideoText() {}

    static String title(String title) {
        String clean = title == null ? "" : title.strip();
        int length = clean.codePointCount(0, clean.length());
        if (length < 1 || length > 100 || !UserText.acceptable(clean, false)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-title",
                    "title must be 1-100 characters without control, format or invisible characters.");
        }
        return clean;
    }

    static String description(String description) {
        String clean = description == null || description.isBlank() ? null : description.strip();
        if (clean != null && clean.codePointCount(0, clean.length()) > 2000) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-description", "description must be at most 2000 characters.");
        }
        if (clean != null && !UserText.acceptable(clean, true)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-description",
                    "description must not hold control, format or invisible characters.");
        }
        return clean;
    }
}
