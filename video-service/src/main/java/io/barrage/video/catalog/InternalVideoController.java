package io.barrage.video.catalog;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Service-to-service API; the service credential is checked by the web layer for all of /internal. */
@RestController
@RequestMapping("/internal/v1/videos")
class InternalVideoController {

    private final VideoCatalog catalog;

    InternalVideoController(VideoCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/{id}")
    InternalVideoView get(@PathVariable long id) {
        return catalog.internal(id);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> purge(@PathVariable long id) {
        catalog.purge(id);
        return ResponseEntity.noContent().build();
    }
}
