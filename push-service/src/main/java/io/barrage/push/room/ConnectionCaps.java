package io.barrage.push.room;

import io.barrage.push.PushProperties;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * How many viewers each client holds open on this shard: at most {@code max-connections-per-address} per
 * client address and {@code max-connections-per-user} per signed-in user. Without it one address could fill
 * the shard (then everyone gets {@code shard-full}) and inflate a video's online count.
 *
 * <p>The counts are this shard's: every viewer of a video is on one shard, so for one video the cap is
 * exact, but a client watching videos on several shards may hold up to the cap on each. The gateway does not
 * count (it cannot across its replicas); it passes the address it decided on and the verified user.
 */
@Component
class ConnectionCaps {

    /** What a refused connection is told. */
    enum Refusal {
        ADDRESS,
        USER
    }

    /** One admitted connection's place in the counts, given back once (on close, or if the upgrade fails). */
    final class Lease {
        private final String address;
        private final Long userId;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(String address, Long userId) {
            this.address = address;
            this.userId = userId;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                decrement(byAddress, address);
                if (userId != null) {
                    decrement(byUser, userId);
                }
            }
        }
    }

    /** Either a lease or why there is none. */
    record Admission(Lease lease, Refusal refusal) {}

    private final Map<String, Integer> byAddress = new ConcurrentHashMap<>();
    private final Map<Long, Integer> byUser = new ConcurrentHashMap<>();
    private final int perAddress;
    private final int perUser;

    ConnectionCaps(PushProperties properties) {
        this.perAddress = properties.maxConnectionsPerAddress();
        this.perUser = properties.maxConnectionsPerUser();
    }

    /** {@code userId} null: an anonymous viewer, counted by address only. */
    Admission admit(String address, Long userId) {
        if (!increment(byAddress, address, perAddress)) {
            return new Admission(null, Refusal.ADDRESS);
        }
        if (userId != null && !increment(byUser, userId, perUser)) {
            decrement(byAddress, address);
            return new Admission(null, Refusal.USER);
        }
        return new Admission(new Lease(address, userId), null);
    }

    private static <K> boolean increment(Map<K, Integer> counts, K key, int cap) {
        boolean[] admitted = new boolean[1];
        counts.compute(key, (k, count) -> {
            int now = count == null ? 0 : count;
            admitted[0] = now < cap;
            return admitted[0] ? now + 1 : count;
        });
        return admitted[0];
    }

    /** A key whose count drops to 0 is removed, so the maps hold only clients with open connections. */
    private static <K> void decrement(Map<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }
}
