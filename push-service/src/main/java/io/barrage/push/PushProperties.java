package io.barrage.push;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Tuning of rooms and connections; the defaults are in application.yml. */
@ConfigurationProperties("barrage.push")
public record PushProperties(
        int shardIndex,
        int shardCount,
        List<String> allowedOrigins,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxConnectionsPerUser,
        Duration flushInterval,
        int batchSize,
        Duration onlineInterval,
        Duration pingInterval,
        Duration idleTimeout,
        int sendBufferBytes,
        Duration sendTimeLimit,
        int maxClientMessageBytes,
        int maxClientMessagesPerSecond,
        int maxSkips,
        int ringSize,
        Duration replayWindow,
        Duration roomIdle,
        int catchUpLimit,
        int catchUpPage,
        Duration historyWait,
        Duration feedMaxWait,
        int feedMinBytes,
        int spreadThreshold,
        int spreadMaxShards,
        Duration spreadReportInterval,
        Duration spreadReportTimeout) {}
