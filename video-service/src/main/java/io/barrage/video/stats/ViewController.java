package io.barrage.video.stats;

import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.VideoView;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/videos")
class ViewController {

    /** The client's address as the gateway saw it (set by the gateway, stripped from clients). */
    static final String CLIENT_IP = "X-Client-Ip";

    record Counted(long videoId, boolean counted) {}

    record HotList(List<VideoView> items) {}

    private final ViewCounter counter;
    private final HotRanking ranking;
    private final TrustedIdentity credentials;

    ViewController(ViewCounter counter, HotRanking ranking, TrustedIdentity credentials) {
        this.counter = counter;
        this.ranking = ranking;
        this.credentials = credentials;
    }

    /** The player calls this once per playback. */
    @PostMapping("/{id}/views")
    Counted view(@PathVariable long id, HttpServletRequest request) {
        return new Counted(id, counter.count(id, viewer(request)));
    }

    @GetMapping("/hot")
    HotList hot(@RequestParam(defaultValue = "20") int limit) {
        if (limit < 1 || limit > 100) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "limit must be between 1 and 100.");
        }
        return new HotList(ranking.hot(limit));
    }

    /**
     * A signed-in viewer is their user id; an anonymous one their address, hashed so no address is stored.
     * The address is the one the gateway vouches for ({@code X-Client-Ip}, believed only next to the service
     * credential): the TCP peer of a request through the gateway is the gateway itself, which made every
     * anonymous viewer one. Forwarded headers are never believed (anyone can send them).
     */
    private String viewer(HttpServletRequest request) {
        OptionalLong user = credentials.userId(request);
        if (user.isPresent()) {
            return "u" + user.getAsLong();
        }
        String address = request.getRemoteAddr();
        String vouched = request.getHeader(CLIENT_IP);
        if (vouched != null && !vouched.isBlank() && credentials.presentIn(request)) {
            address = vouched.strip();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(address.getBytes(StandardCharsets.UTF_8));
            return "a" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
