package io.barrage.danmaku.density;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How hot moments are found (see {@link Peaks}) and labelled: at most {@code max} moments, each with up to
 * {@code words} terms taken from at most {@code textsPerMoment} danmaku around its peak.
 */
@ConfigurationProperties("barrage.danmaku.moments")
public record MomentsProperties(
        int max, int neighbourhood, long minDanmaku, double factor, int words, int textsPerMoment) {}
