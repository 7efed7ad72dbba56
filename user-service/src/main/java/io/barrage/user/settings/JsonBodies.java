package io.barrage.user.settings;

import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON body read no further than a limit: a settings document is the one body here that is not tiny
 * (a thousand rules), so it gets its own bound instead of Jackson reading whatever arrives.
 */
final class JsonBodies {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonBodies() {}

    static <T> T read(HttpServletRequest request, long maxBytes, Class<T> type) {
        byte[] body = bytes(request, maxBytes);
        try {
            return JSON.readValue(body, type);
        } catch (MismatchedInputException e) {
            String field = fieldOf(e);
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    field.isEmpty() ? "malformed-json" : "invalid-request",
                    field.isEmpty() ? "The body is not valid JSON." : "Field '" + field + "' has the wrong type.",
                    field.isEmpty() ? null : field);
        } catch (JacksonException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-json", "The body is not valid JSON.");
        }
    }

    static JsonNode tree(HttpServletRequest request, long maxBytes) {
        return read(request, maxBytes, JsonNode.class);
    }

    private static byte[] bytes(HttpServletRequest request, long maxBytes) {
        String contentType = request.getContentType();
        if (contentType == null || !isJson(contentType)) {
            throw new ApiException(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Send the body as application/json.");
        }
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isJson(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON)
                    || type.getSubtype().endsWith("+json");
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            return false;
        }
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The body is larger than " + maxBytes + " bytes.");
    }

    private static String fieldOf(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
