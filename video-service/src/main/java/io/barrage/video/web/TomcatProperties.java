package io.barrage.video.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code barrage.video.socket-write-buffer}: Tomcat's per-connection socket write buffer. */
@ConfigurationProperties("barrage.video")
record TomcatProperties(DataSize socketWriteBuffer) {}
