package io.barrage.user.attempts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param window how long failed attempts are remembered, counted from the first failure
 * @param maxPerAccount failed attempts on one account within the window before it is refused
 * @param maxPerAddress failed attempts from one client address within the window before it is refused
 */
@ConfigurationProperties("barrage.login-attempts")
record AttemptProperties(
        @DefaultValue("15m") Duration window,
        @DefaultValue("10") int maxPerAccount,
        @DefaultValue("50") int maxPerAddress) {}
