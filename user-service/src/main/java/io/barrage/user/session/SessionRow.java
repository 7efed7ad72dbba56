package io.barrage.user.session;

import com.baomidou.mybatisplus.annotation.IdType;
import com.baomidou.mybatisplus.annotation.TableId;
import com.baomidou.mybatisplus.annotation.TableName;
import java.time.Instant;

/** A row of {@code user_session}: the durable copy of a session. Holds the token's hash, never the token. */
@TableName("user_session")
class SessionRow {

    @TableId(type = IdType.AUTO)
    private Long id;

    private Long userId;
    private String tokenHash;
    private String userAgent;
    private Instant createdAt;
    private Instant lastSeenAt;
    private Instant expiresAt;
    private Instant absoluteExpiresAt;

    Long getId() {
        return id;
    }

    void setId(Long id) {
        this.id = id;
    }

    Long getUserId() {
        return userId;
    }

    void setUserId(Long userId) {
        this.userId = userId;
    }

    String getTokenHash() {
        return tokenHash;
    }

    void setTokenHash(String tokenHash) {
        this.tokenHash = tokenHash;
    }

    String getUserAgent() {
        return userAgent;
    }

    void setUserAgent(String userAgent) {
        this.userAgent = userAgent;
    }

    Instant getCreatedAt() {
        return createdAt;
    }

    void setCreatedAt(Instant createdAt) {
        this.createdAt = createdAt;
    }

    Instant getLastSeenAt() {
        return lastSeenAt;
    }

    void setLastSeenAt(Instant lastSeenAt) {
        this.lastSeenAt = lastSeenAt;
    }

    Instant getExpiresAt() {
        return expiresAt;
    }

    void setExpiresAt(Instant expiresAt) {
        this.expiresAt = expiresAt;
    }

    Instant getAbsoluteExpiresAt() {
        return absoluteExpiresAt;
    }

    void setAbsoluteExpiresAt(Instant absoluteExpiresAt) {
        this.absoluteExpiresAt = absoluteExpiresAt;
    }
}
