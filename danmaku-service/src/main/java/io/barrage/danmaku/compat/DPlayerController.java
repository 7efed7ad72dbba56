package io.barrage.danmaku.compat;

import io.barrage.danmaku.history.HistoryCache;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.ingest.DanmakuIngest;
import io.barrage.danmaku.ingest.NewDanmaku;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The DPlayer v3 danmaku backend ({@code options.danmaku.api = "/dplayer/"}): DPlayer's {@code id} is our
 * video id, {@code author} is shown as the sender's user id, and the {@code token} field is ignored
 * because the gateway has already authenticated the session and passes the user on. Errors keep the HTTP
 * status of the equivalent API error and answer {@code {"code": <that status>, "msg": ..., "reason":
 * <stable code>}}; success is {@code code: 0}.
 */
@RestController
class DPlayerController {

    private static final int MAX = 5000;
    private static final String[] MODES = {"SCROLL", "TOP", "BOTTOM"};

    private final HistoryCache history;
    private final DanmakuIngest ingest;
    private final TrustedIdentity identity;
    private final VideoDirectory videos;

    DPlayerController(HistoryCache history, DanmakuIngest ingest, TrustedIdentity identity, VideoDirectory videos) {
        this.history = history;
        this.videos = videos;
        this.ingest = ingest;
        this.identity = identity;
    }

    @GetMapping({"/dplayer/v3", "/dplayer/v3/"})
    Map<String, Object> read(
            @RequestParam(name = "id", required = false) String id,
            @RequestParam(name = "max", required = false) String max,
            @RequestParam(name = "limit", required = false) String limit) {
        long videoId = videoId(id);
        int count = count(max != null ? max : limit);
        videos.checkReadable(videoId);
        List<List<Object>> data = new ArrayList<>();
        for (Danmaku d : history.window(videoId, 0, Long.MAX_VALUE, count)) {
            data.add(
                    List.of(seconds(d.playbackMs()), type(d.mode()), d.color(), Long.toString(d.senderId()), d.text()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", 0);
        body.put("data", data);
        return body;
    }

    @PostMapping({"/dplayer/v3", "/dplayer/v3/"})
    Map<String, Object> send(HttpServletRequest request, @RequestBody JsonNode body) {
        CurrentUser user = identity.user(request)
                .orElseThrow(() -> new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in to do this."));
        long videoId = videoId(body.path("id").isValueNode() ? body.path("id").asString() : null);
        long playbackMs = playbackMs(body.path("time"));
        NewDanmaku danmaku = new NewDanmaku(
                body.path("text").isString() ? body.path("text").asString() : null,
                playbackMs,
                mode(body.path("type")),
                color(body.path("color")),
                null);
        Danmaku created = ingest.create(videoId, user.id(), danmaku, request.getHeader("Idempotency-Key"))
                .danmaku();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("code", 0);
        response.put(
                "data",
                List.of(
                        seconds(created.playbackMs()),
                        type(created.mode()),
                        created.color(),
                        Long.toString(created.senderId()),
                        created.text()));
        return response;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> error(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", e.status().value());
        body.put("msg", e.getMessage());
        body.put("reason", e.code());
        // DPlayer's errors are JSON whatever the client's Accept says: a preset type skips negotiation,
        // which failed with a 500 on Accept: application/xml (found by the fuzz test)
        ResponseEntity.BodyBuilder response =
                ResponseEntity.status(e.status()).contentType(org.springframework.http.MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return response.body(body);
    }

    @ExceptionHandler(org.springframework.http.converter.HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable() {
        return error(ApiException.badRequest("malformed-json", "The body is not valid JSON."));
    }

    /**
     * DPlayer's {@code time} in seconds, as milliseconds. 1e400 parses as an infinite double, and a huge
     * finite one would wrap around in {@code longValue()}: both are outside any video.
     */
    private static long playbackMs(JsonNode time) {
        if (!time.isNumber()) {
            throw ApiException.badRequest("invalid-request", "time must be a number of seconds.");
        }
        if (time.isFloatingPointNumber() && !Double.isFinite(time.asDouble())) {
            throw outOfRange();
        }
        BigDecimal ms = time.decimalValue().movePointRight(3).setScale(0, RoundingMode.HALF_UP);
        if (ms.signum() < 0 || ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw outOfRange();
        }
        return ms.longValueExact();
    }

    private static ApiException outOfRange() {
        return ApiException.badRequest("playback-out-of-range", "time is outside the video.");
    }

    private static long videoId(String id) {
        try {
            long videoId = Long.parseLong(id == null ? "" : id.strip());
            if (videoId > 0) {
                return videoId;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw ApiException.badRequest("invalid-request", "id must be a video id.");
    }

    private static int count(String value) {
        if (value == null || value.isBlank()) {
            return 1000;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return Math.min(n, MAX);
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw ApiException.badRequest("invalid-request", "max must be a positive number.");
    }

    static double seconds(long playbackMs) {
        return playbackMs / 1000.0;
    }

    static int type(String mode) {
        return switch (mode) {
            case "TOP" -> 1;
            case "BOTTOM" -> 2;
            default -> 0;
        };
    }

    /** DPlayer sends 0/1/2, or (newer builds) "right"/"top"/"bottom". */
    private static String mode(JsonNode type) {
        if (type.isMissingNode() || type.isNull()) {
            return null;
        }
        if (type.isIntegralNumber() && type.canConvertToInt() && type.asInt() >= 0 && type.asInt() <= 2) {
            return MODES[type.asInt()];
        }
        if (type.isString()) {
            return switch (type.asString()) {
                case "right", "scroll", "0" -> "SCROLL";
                case "top", "1" -> "TOP";
                case "bottom", "2" -> "BOTTOM";
                default -> type.asString();
            };
        }
        return "?";
    }

    /** A decimal RGB number, or a "#rrggbb" / "#rgb" string. */
    private static Long color(JsonNode color) {
        if (color.isMissingNode() || color.isNull()) {
            return null;
        }
        if (color.isIntegralNumber()) {
            return color.canConvertToLong() ? color.asLong() : -1L;
        }
        if (color.isString()) {
            String hex = color.asString().strip();
            if (hex.startsWith("#")) {
                hex = hex.substring(1);
            }
            if (hex.length() == 3) {
                hex = "" + hex.charAt(0) + hex.charAt(0) + hex.charAt(1) + hex.charAt(1) + hex.charAt(2)
                        + hex.charAt(2);
            }
            try {
                return hex.length() == 6 ? Long.parseLong(hex, 16) : Long.parseLong(color.asString());
            } catch (NumberFormatException ignored) {
                return -1L; // rejected as invalid-color
            }
        }
        return -1L;
    }
}
