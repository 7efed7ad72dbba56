package io.barrage.video.upload;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The hook scheduler-service calls periodically: aborts resumable uploads untouched for
 * {@code barrage.video.upload-ttl} (their S3 parts, buffers and UPLOADING rows) and forgets old finished
 * ones. The service credential is checked by the web layer for all of /internal.
 */
@RestController
class UploadCleanupController {

    record Cleaned(int items) {}

    private final ResumableUploads uploads;

    UploadCleanupController(ResumableUploads uploads) {
        this.uploads = uploads;
    }

    @PostMapping("/internal/v1/jobs/upload-cleanup")
    Cleaned cleanup() {
        return new Cleaned(uploads.cleanup());
    }
}
