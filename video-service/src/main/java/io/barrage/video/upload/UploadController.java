package io.barrage.video.upload;

import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.VideoView;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
class UploadController {

    private final VideoUploader uploader;
    private final TrustedIdentity credentials;

    UploadController(VideoUploader uploader, TrustedIdentity credentials) {
        this.uploader = uploader;
        this.credentials = credentials;
    }

    @PostMapping(path = "/api/v1/videos", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<VideoView> upload(
            @RequestPart(name = "file", required = false) MultipartFile file,
            @RequestParam(name = "title", required = false) String title,
            @RequestParam(name = "description", required = false) String description,
            HttpServletRequest request) {
        long ownerId = credentials.requireUser(request);
        String cleanTitle = VideoText.title(title);
        String cleanDescription = VideoText.description(description);
        if (file == null || file.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "missing-file", "The multipart part 'file' is required.");
        }
        VideoView video = uploader.upload(ownerId, cleanTitle, cleanDescription, file);
        return ResponseEntity.created(URI.create("/api/v1/videos/" + video.id()))
                .body(video);
    }
}
