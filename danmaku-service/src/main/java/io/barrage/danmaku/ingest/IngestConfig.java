package io.barrage.danmaku.ingest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The ingest pieces built from plain values, so tests build them the same way. */
@Configuration(proxyBeanMethods = false)
class IngestConfig {

    @Bean
    SnowflakeIds snowflakeIds(IngestProperties properties) {
        Long workerId = properties.workerId();
        return new SnowflakeIds(workerId == null ? SnowflakeIds.hostOrdinal() : workerId);
    }

    @Bean
    BannedWords bannedWords(IngestProperties properties) {
        return new BannedWords(properties.bannedWords());
    }
}
