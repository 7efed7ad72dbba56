package io.barrage.video.catalog;

import io.barrage.video.web.ApiException;
import io.barrage.video.web.ServiceCredentials;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/videos")
class VideoController {

    private final VideoCatalog catalog;
    private final ServiceCredentials credentials;

    VideoController(VideoCatalog catalog, ServiceCredentials credentials) {
        this.catalog = catalog;
        this.credentials = credentials;
    }

    @GetMapping
    VideoPage list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "20") int size) {
        if (page < 0 || size < 1 || size > 100) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-request", "page must be >= 0 and size between 1 and 100.");
        }
        return catalog.list(page, size);
    }

    @GetMapping("/{id}")
    VideoView get(@PathVariable long id) {
        return VideoView.of(catalog.readyVideo(id));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable long id, HttpServletRequest request) {
        catalog.delete(id, credentials.requireUser(request));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/restore")
    VideoView restore(@PathVariable long id, HttpServletRequest request) {
        return catalog.restore(id, credentials.requireUser(request));
    }
}
