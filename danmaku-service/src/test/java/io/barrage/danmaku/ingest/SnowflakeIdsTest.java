package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnowflakeIdsTest {

    @Test
    void idsAreUniqueIncreasingAndCarryTheirWorkerAndTime() {
        SnowflakeIds ids = new SnowflakeIds(5);
        long before = System.currentTimeMillis();
        long previous = 0;
        for (int i = 0; i < 20_000; i++) { // more than 4096 per millisecond is likely here
            long id = ids.next();
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
        assertThat((previous >> 12) & 0x3FF).isEqualTo(5);
        long millis = (previous >> 22) + SnowflakeIds.EPOCH_MS;
        assertThat(millis).isBetween(before, System.currentTimeMillis() + 1000);
    }

    @Test
    void aWorkerIdMustFitInTenBits() {
        assertThatThrownBy(() -> new SnowflakeIds(1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnowflakeIds(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
