package io.barrage.danmaku.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code barrage.danmaku.sequencer}: how long a writer waits for a video's seq lock before a 503. */
@ConfigurationProperties("barrage.danmaku.sequencer")
record SequencerProperties(Duration lockWait) {}
