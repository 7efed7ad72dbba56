package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BannedWordsTest {

    @Test
    void findsWordsThatOverlapOrHideInsideOthers() {
        BannedWords words = new BannedWords(List.of("he", "she", "hers", "abcd", "bc"));
        assertThat(words.find("ushers")).isIn("she", "he");
        assertThat(words.find("xabcx")).isEqualTo("bc"); // found through a fail link from "abc…"
        assertThat(words.find("abd")).isNull();
        assertThat(words.find("")).isNull();
    }

    @Test
    void normalisesCaseAndWidthOnBothSides() {
        BannedWords words = new BannedWords(List.of("ＳＰＡＭ", " 广告 ", ""));
        assertThat(words.find("no Spam here")).isEqualTo("spam");
        assertThat(words.find("ｓｐａｍ")).isEqualTo("spam");
        assertThat(words.find("看广告")).isEqualTo("广告");
        assertThat(words.find("spa m")).isNull();
        assertThat(new BannedWords(List.of()).find("anything")).isNull();
    }
}
