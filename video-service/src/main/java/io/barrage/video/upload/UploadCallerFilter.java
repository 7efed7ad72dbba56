package io.barrage.video.upload;

import io.barrage.video.web.ServiceCredentials;
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
 * own check comes too late; this filter runs ahead of it, refuses a request without a trusted user with
 * 401 {@code unauthenticated}, and closes the connection rather than draining the unread body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class UploadCallerFilter extends OncePerRequestFilter {

    private static final String MULTIPART_PATH = "/api/v1/videos";
    private static final String RESUMABLE_PATH = "/api/v1/uploads";

    private final ServiceCredentials credentials;

    UploadCallerFilter(ServiceCredentials credentials) {
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
        // Tomcat then neither drains the unread body (server.tomcat.max-swallow-size is unlimited) nor
        // keeps the connection
        response.setHeader(HttpHeaders.CONNECTION, "close");
        if (request.getRequestURI().startsWith(RESUMABLE_PATH)) {
            response.setHeader("Tus-Resumable", TusController.VERSION);
        }
        response.getOutputStream().write(body);
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
