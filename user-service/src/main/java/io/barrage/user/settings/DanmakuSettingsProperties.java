package io.barrage.user.settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Bounds of one account's danmaku settings (defaults in application.yml).
 *
 * @param maxRules rules of all kinds together
 * @param maxRuleLength code points of one rule's value
 * @param maxBody bytes of a PUT or import body, read no further
 * @param importRetries how often an import re-reads and retries when a concurrent write got in first
 */
@ConfigurationProperties("barrage.danmaku-settings")
record DanmakuSettingsProperties(int maxRules, int maxRuleLength, DataSize maxBody, int importRetries) {}
