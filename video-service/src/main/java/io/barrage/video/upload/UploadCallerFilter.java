package io.barrage.video.upload;

import io.barrage.platform.identity.TrustedIdentity;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks who is uploading before a byte of the body is read. The multipart upload's body is parsed (and
 * spooled to disk, part by part) by the DispatcherServlet before any controller runs, so the controller's
 * own check comes too late; this filter runs ahead of it and refuses a request without a trusted user
 * with 401 {@code unauthenticated}, sent at once. Nothing of the body is parsed or stored; Tomcat still
 * reads and drops what the client goes on sending (that is bounded by the connector's timeouts).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class UploadCallerFilter extends OncePerRequestFilter {

    private static final String MULTIPART_PATH = "/api/v1/videos";
    private static final String RESUMABLE_PATH = "/api/v1/uploads";

    private final TrustedIdentity credentials;

    UploadCallerFilter(TrustedIdentity credentials) {
        this.credentials = credentials;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!carriesAnUpload(request) || credentials.userId(request).isPresent()) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                        + "\"detail\":\"Log in to upload a video.\",\"instance\":\""
                        + request.getRequestURI().replaceAll("[^A-Za-z0-9/_.-]", "")
                        + "\",\"code\":\"unauthenticated\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setContentLength(body.length);
        // the connection is not kept for another request after this unread body
        response.setHeader(HttpHeaders.CONNECTION, "close");
        if (request.getRequestURI().startsWith(RESUMABLE_PATH)) {
            response.setHeader("Tus-Resumable", TusController.VERSION);
        }
        response.getOutputStream().write(body);
        // sent now, not after Tomcat has drained the unread body (server.tomcat.max-swallow-size)
        response.flushBuffer();
    }

    /** A multipart upload, a tus creation, or a tus chunk. */
    private static boolean carriesAnUpload(HttpServletRequest request) {
        String path = request.getRequestURI();
        return switch (request.getMethod()) {
            case "POST" -> path.equals(MULTIPART_PATH) || path.equals(RESUMABLE_PATH);
            case "PATCH" -> path.startsWith(RESUMABLE_PATH + "/");
            default -> false;
        };
    }
}
