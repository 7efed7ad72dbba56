package io.barrage.video.catalog;

import io.barrage.platform.problem.ApiException;
import io.barrage.platform.text.UserText;
import io.barrage.video.web.VideoProblems;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Owner edits of title and description, with optimistic locking: the client names the version it read
 * ({@code If-Match: "<version>"}, the {@code ETag} of GET), and {@code updateById} writes only while the row
 * still has that version, so of two edits made from the same read exactly one wins and the other gets 412
 * instead of silently overwriting it. The cached row is dropped by {@link CacheInvalidation}.
 */
@Service
class VideoEditor {

    private final VideoMapper videos;

    VideoEditor(VideoMapper videos) {
        this.videos = videos;
    }

    /** The edited video and its new version. */
    VideoCatalog.VersionedView edit(long id, long callerId, String ifMatch, VideoChanges changes) {
        String title = changes == null ? null : changes.title();
        String description = changes == null ? null : changes.description();
        if (title == null && description == null) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-request", "Nothing to change: send title or description.");
        }
        if (title != null) {
            title = title.strip();
            int length = title.codePointCount(0, title.length());
            if (length < 1 || length > 100 || !UserText.acceptable(title, false)) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "invalid-title",
                        "title must be 1-100 characters without control, format or invisible characters.");
            }
        }
        if (description != null) {
            description = description.isBlank() ? null : description.strip();
            if (description != null && description.codePointCount(0, description.length()) > 2000) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST, "invalid-description", "description must be at most 2000 characters.");
            }
            if (description != null && !UserText.acceptable(description, true)) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "invalid-description",
                        "description must not hold control, format or invisible characters.");
            }
        }
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ApiException(
                    HttpStatus.PRECONDITION_REQUIRED,
                    "precondition-required",
                    "Send If-Match with the ETag of the version you edited.");
        }
        // the truth, not the cache: ownership and version are decided on the row
        Video video = videos.selectById(id);
        if (video == null || video.getStatus() != VideoStatus.READY || video.getOwnerId() != callerId) {
            throw VideoProblems.videoNotFound(id);
        }
        int expected = matchedVersion(ifMatch, video.getVersion());
        if (title != null) {
            video.setTitle(title);
        }
        if (changes.description() != null) {
            video.setDescription(description);
        }
        video.setVersion(expected);
        video.setUpdatedAt(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
        if (videos.updateById(video) != 1) {
            throw versionMismatch();
        }
        video.setVersion(expected + 1);
        return new VideoCatalog.VersionedView(VideoView.of(video), expected + 1);
    }

    /** The version the If-Match names (RFC 9110 strong comparison; {@code *} means the current one), or 412. */
    static int matchedVersion(String ifMatch, int current) {
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*")) {
                return current;
            }
            if (t.length() > 2 && t.startsWith("\"") && t.endsWith("\"")) {
                try {
                    if (Integer.parseInt(t.substring(1, t.length() - 1)) == current) {
                        return current;
                    }
                } catch (NumberFormatException e) {
                    // not one of ours: it cannot match
                }
            }
        }
        throw versionMismatch();
    }

    private static ApiException versionMismatch() {
        return new ApiException(
                HttpStatus.PRECONDITION_FAILED,
                "version-mismatch",
                "The video changed since you read it; read it again and reapply your edit.");
    }
}
