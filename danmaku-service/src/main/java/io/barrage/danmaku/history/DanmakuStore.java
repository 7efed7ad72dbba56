package io.barrage.danmaku.history;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one place rows are written: inserts and tombstones in one transaction, then the history cache is
 * told what changed (after the commit, so a reader cannot reload the old rows once the entry is gone).
 */
@Component
class DanmakuStore {

    private final DanmakuMapper mapper;
    private final HistoryCache cache;
    private final TransactionTemplate tx;

    DanmakuStore(DanmakuMapper mapper, HistoryCache cache, TransactionTemplate tx) {
        this.mapper = mapper;
        this.cache = cache;
        this.tx = tx;
    }

    /** Inserts {@code created} (ignoring ids already stored or tombstoned) and tombstones {@code deleted}. */
    int apply(List<DanmakuRow> created, List<DanmakuRow> deleted) {
        Map<Long, List<Long>> touched = new HashMap<>(); // videoId -> playbackMs of changed rows
        Integer inserted = tx.execute(status -> {
            int n = created.isEmpty() ? 0 : mapper.insertIgnore(created);
            List<Long> ids = new ArrayList<>(created.size() + deleted.size());
            created.forEach(r -> ids.add(r.getId()));
            if (!deleted.isEmpty()) {
                mapper.insertTombstones(deleted);
                List<Long> deletedIds = deleted.stream().map(DanmakuRow::getId).toList();
                ids.addAll(deletedIds);
                for (DanmakuRow row : mapper.byIds(deletedIds)) {
                    touched.computeIfAbsent(row.getVideoId(), v -> new ArrayList<>())
                            .add(row.getPlaybackMs());
                }
            }
            // Also catches a Created that arrives after its own tombstone (a redelivery, or a voided attempt
            // that reached the broker late): it must not survive.
            mapper.deleteTombstoned(ids);
            return n;
        });
        created.forEach(r ->
                touched.computeIfAbsent(r.getVideoId(), v -> new ArrayList<>()).add(r.getPlaybackMs()));
        touched.forEach(cache::invalidate);
        return inserted == null ? 0 : inserted;
    }

    /** Tombstones rows already read (a delete through the API), so they vanish from history at once. */
    void delete(Collection<DanmakuRow> rows) {
        if (!rows.isEmpty()) {
            apply(List.of(), List.copyOf(rows));
        }
    }
}
