package io.barrage.gateway.limits;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The bounds on a JSON request body (anything but a video upload); the defaults are in application.yml.
 *
 * @param maxJsonBody the largest body: 413 past it
 * @param jsonBodyReadTime the longest a body may take to arrive whole: 408 past it, so a body trickled
 *     without ever falling silent is cut off too
 * @param maxSettingsBody the largest body of a viewer's danmaku settings (their rules), which may exceed
 *     the JSON limit; user-service bounds it again
 */
@ConfigurationProperties("barrage.gateway")
public record JsonBodyProperties(DataSize maxJsonBody, Duration jsonBodyReadTime, DataSize maxSettingsBody) {}
