package io.barrage.video.catalog;

import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/videos")
class VideoController {

    private final VideoCatalog catalog;
    private final VideoSearch search;
    private final VideoEditor editor;
    private final TrustedIdentity credentials;

    VideoController(VideoCatalog catalog, VideoSearch search, VideoEditor editor, TrustedIdentity credentials) {
        this.catalog = catalog;
        this.search = search;
        this.editor = editor;
        this.credentials = credentials;
    }

    /**
     * Words a person could type: no control character (NUL included), no non-character, no lone surrogate,
     * and no U+FFFD, which is what invalid UTF-8 decodes to.
     */
    static boolean isText(String q) {
        for (int i = 0; i < q.length(); ) {
            int cp = q.codePointAt(i);
            if (Character.isISOControl(cp)
                    || Character.isSurrogate((char) cp) && cp < 0x10000
                    || cp == 0xFFFD
                    || (cp & 0xFFFE) == 0xFFFE
                    || (cp >= 0xFDD0 && cp <= 0xFDEF)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    @GetMapping
    VideoPage list(
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "20") int size,
            @RequestParam(defaultValue = "new") String sort,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String owner,
            HttpServletRequest request) {
        if (page < 0 || size < 1 || size > 100) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-request", "page must be >= 0 and size between 1 and 100.");
        }
        if (owner != null) {
            if (!owner.equals("me")) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST, "invalid-request", "owner can only be me: others see READY videos.");
            }
            // the caller's own videos in every state, so a deleted one can be restored until it is purged
            return search.mine(credentials.requireUser(request), page, size);
        }
        if (q != null && q.length() > 200) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "q must be at most 200 characters.");
        }
        if (q != null && !isText(q)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "q must be text: no control characters, non-characters or undecodable bytes.");
        }
        return search.list(page, size, VideoSearch.Order.parse(sort), q);
    }

    /** The ETag is the row version, for If-Match on PATCH; it does not cover the view count. */
    @GetMapping("/{id}")
    ResponseEntity<VideoView> get(@PathVariable long id, HttpServletRequest request) {
        // the owner also sees a video still processing, or failed (with the reason)
        Long caller = credentials.userId(request).isPresent()
                ? credentials.userId(request).getAsLong()
                : null;
        return versioned(catalog.view(id, caller));
    }

    @PatchMapping("/{id}")
    ResponseEntity<VideoView> edit(
            @PathVariable long id,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @RequestBody VideoChanges changes,
            HttpServletRequest request) {
        return versioned(editor.edit(id, credentials.requireUser(request), ifMatch, changes));
    }

    private static ResponseEntity<VideoView> versioned(VideoCatalog.VersionedView video) {
        // no-store: a browser revalidating with If-None-Match would get a 304 and keep a stale view count
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .eTag("\"" + video.version() + "\"")
                .body(video.view());
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
