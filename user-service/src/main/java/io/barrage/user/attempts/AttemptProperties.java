package io.barrage.user.attempts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Login throttling: failures are counted per (account, client address), per client address, and per
 * account across addresses; past a counter's free failures, each further failure makes that counter
 * wait {@code firstDelay}, then twice as long, and so on up to {@code maxDelay}. A known device is
 * counted only per (account, device).
 *
 * @param window how long failures are remembered, counted from a counter's first failure
 * @param freePerAccountAndAddress failures of one account from one address before the delays start
 * @param freePerAddress failures from one address (any accounts) before the delays start
 * @param freePerAccount failures of one account from unknown devices, all addresses together, before the
 *     delays start (a distributed attack); known devices are not held by this counter
 * @param firstDelay the first delay; each further failure doubles it
 * @param maxDelay the longest delay
 * @param deviceTtl how long a device that logged in to an account is remembered as known for it
 */
@ConfigurationProperties("barrage.login-attempts")
public record AttemptProperties(
        @DefaultValue("1h") Duration window,
        @DefaultValue("5") int freePerAccountAndAddress,
        @DefaultValue("20") int freePerAddress,
        @DefaultValue("30") int freePerAccount,
        @DefaultValue("1s") Duration firstDelay,
        @DefaultValue("15m") Duration maxDelay,
        @DefaultValue("180d") Duration deviceTtl) {

    /** The wait after the {@code failures}-th failure on a counter that lets {@code free} pass. */
    Duration delayAfter(long failures, int free) {
        if (failures <= free) {
            return Duration.ZERO;
        }
        long doublings = Math.min(failures - free - 1, 30);
        long millis = firstDelay.toMillis() << doublings;
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }
}
