package io.barrage.danmaku.history;

import io.barrage.danmaku.density.DensityLedger;
import io.barrage.danmaku.density.Placed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
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
    private final DensityLedger density;

    DanmakuStore(DanmakuMapper mapper, HistoryCache cache, TransactionTemplate tx, DensityLedger density) {
        this.mapper = mapper;
        this.cache = cache;
        // READ COMMITTED: the density ledger's locking read of the batch's rows then takes record locks only,
        // never the gap locks REPEATABLE READ puts on ids not there yet; two replicas' persisters inserting
        // new (ever-increasing) ids would otherwise deadlock on the gap after the highest id.
        this.tx = new TransactionTemplate(tx.getTransactionManager());
        this.tx.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        this.density = density;
    }

    /**
     * Inserts {@code created} (ignoring ids already stored or tombstoned) and tombstones {@code deleted}. The
     * batch's rows as they were before and after go to the density ledger in the same transaction, so the
     * curve moves by exactly what the batch changed.
     */
    int apply(List<DanmakuRow> created, List<DanmakuRow> deleted) {
        Map<Long, List<Long>> touched = new HashMap<>(); // videoId -> playbackMs of changed rows
        Set<Long> curves = new HashSet<>();
        Integer inserted = tx.execute(status -> {
            List<Long> ids = new ArrayList<>(created.size() + deleted.size());
            created.forEach(r -> ids.add(r.getId()));
            deleted.forEach(r -> ids.add(r.getId()));
            List<DanmakuRow> before = mapper.byIdsForUpdate(ids);
            int n = created.isEmpty() ? 0 : mapper.insertIgnore(created);
            if (!deleted.isEmpty()) {
                mapper.insertTombstones(deleted);
                Set<Long> deletedIds = new HashSet<>();
                deleted.forEach(r -> deletedIds.add(r.getId()));
                for (DanmakuRow row : before) {
                    if (deletedIds.contains(row.getId())) {
                        touched.computeIfAbsent(row.getVideoId(), v -> new ArrayList<>())
                                .add(row.getPlaybackMs());
                    }
                }
            }
            // Also catches a Created that arrives after its own tombstone (a redelivery, or a voided attempt
            // that reached the broker late): it must not survive.
            mapper.deleteTombstoned(ids);
            curves.addAll(density.record(placed(before), placed(mapper.byIds(ids))));
            return n;
        });
        created.forEach(r ->
                touched.computeIfAbsent(r.getVideoId(), v -> new ArrayList<>()).add(r.getPlaybackMs()));
        touched.forEach(cache::invalidate);
        density.committed(curves);
        return inserted == null ? 0 : inserted;
    }

    private static List<Placed> placed(List<DanmakuRow> rows) {
        return rows.stream()
                .map(r -> new Placed(r.getVideoId(), r.getPlaybackMs()))
                .toList();
    }

    /** Tombstones rows already read (a delete through the API), so they vanish from history at once. */
    void delete(Collection<DanmakuRow> rows) {
        if (!rows.isEmpty()) {
            apply(List.of(), List.copyOf(rows));
        }
    }
}
