package io.barrage.danmaku.ingest;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.danmaku.worker-id}: this replica's Snowflake worker (unset: the host name's trailing
 * ordinal); {@code barrage.danmaku.banned-words}: words a danmaku may not contain.
 */
@ConfigurationProperties("barrage.danmaku")
record IngestProperties(@Nullable Long workerId, @Nullable List<String> bannedWords) {

    IngestProperties {
        bannedWords = bannedWords == null ? List.of() : List.copyOf(bannedWords);
    }
}
