package io.barrage.platform.problem;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param enabled answer failures with the platform's advice; a service that turns it off must answer
 *     every failure as problem+json itself
 */
@ConfigurationProperties("barrage.platform.problems")
public record ProblemProperties(@DefaultValue("true") boolean enabled) {}
