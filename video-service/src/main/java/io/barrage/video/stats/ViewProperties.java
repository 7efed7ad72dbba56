package io.barrage.video.stats;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code barrage.video.views.debounce}: one viewer's views of one video count once per this window. */
@ConfigurationProperties("barrage.video.views")
record ViewProperties(Duration debounce) {}
