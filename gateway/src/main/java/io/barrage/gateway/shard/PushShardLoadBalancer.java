package io.barrage.gateway.shard;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Mono;

/**
 * Chooses, for a request about video {@code v}, the push-service instance whose metadata {@code shard}
 * is {@code PushShards.ownerOf(v)}. With one shard, any instance serves; with several and no owner
 * registered (a shard restarting), there is no instance, and the gateway answers 503 rather than send
 * the viewer somewhere that would serve it nothing.
 */
final class PushShardLoadBalancer implements ReactorServiceInstanceLoadBalancer {

    static final String SHARD_METADATA = "shard";
    private static final Logger log = LoggerFactory.getLogger(PushShardLoadBalancer.class);

    private final ObjectProvider<ServiceInstanceListSupplier> suppliers;
    private final int partitions;
    private final int shards;
    private final SpreadSets spread;

    PushShardLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> suppliers, int partitions, int shards) {
        this(suppliers, partitions, shards, null);
    }

    PushShardLoadBalancer(
            ObjectProvider<ServiceInstanceListSupplier> suppliers, int partitions, int shards, SpreadSets spread) {
        if (shards < 1 || partitions < shards) {
            throw new IllegalArgumentException(
                    "need 1 <= push shards <= partitions; got " + shards + " shards, " + partitions + " partitions");
        }
        this.suppliers = suppliers;
        this.partitions = partitions;
        this.shards = shards;
        this.spread = spread;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Mono<Response<ServiceInstance>> choose(Request request) {
        ServiceInstanceListSupplier supplier = suppliers.getIfAvailable();
        if (supplier == null) {
            return Mono.just(new EmptyResponse());
        }
        String path = request.getContext() instanceof RequestDataContext context && context.getClientRequest() != null
                ? context.getClientRequest().getUrl().getPath()
                : "";
        long videoId = PushShards.videoIdOf(path);
        boolean viewer = path.startsWith("/ws/");
        return supplier.get(request).next().map(instances -> choose(instances, videoId, viewer));
    }

    Response<ServiceInstance> choose(List<ServiceInstance> instances, long videoId) {
        return choose(instances, videoId, false);
    }

    /**
     * A new viewer ({@code viewer}) of a hot video goes to the member of its spread set with the fewest
     * viewers (as reported, plus the ones this gateway sent since); the connection then stays there. Anything
     * else, the online count included, goes to the owner, which sums the set's reports.
     */
    Response<ServiceInstance> choose(List<ServiceInstance> instances, long videoId, boolean viewer) {
        if (instances.isEmpty()) {
            return new EmptyResponse();
        }
        if (shards == 1 || videoId < 0) {
            // One shard owns everything; a path without a video id is refused by push-service itself.
            return new DefaultResponse(instances.getFirst());
        }
        int ownerIndex = PushShards.ownerOf(videoId, partitions, shards);
        if (viewer && spread != null) {
            List<Integer> members = spread.candidates(videoId, ownerIndex);
            if (!members.equals(List.of(ownerIndex))) { // spread, or the owner is gone and a member reads
                ServiceInstance best = null;
                int bestShard = -1;
                int bestLoad = Integer.MAX_VALUE;
                for (int shard : members) {
                    ServiceInstance instance = instanceOf(instances, shard);
                    int load = spread.load(videoId, shard);
                    if (instance != null && load < bestLoad) {
                        best = instance;
                        bestShard = shard;
                        bestLoad = load;
                    }
                }
                if (best != null) {
                    spread.sent(videoId, bestShard);
                    return new DefaultResponse(best);
                }
            }
        }
        String owner = Integer.toString(ownerIndex);
        return instances.stream()
                .filter(instance -> Objects.equals(owner, instance.getMetadata().get(SHARD_METADATA)))
                .findFirst()
                .<Response<ServiceInstance>>map(DefaultResponse::new)
                .orElseGet(() -> {
                    log.warn("no push-service instance registered for shard {} (video {})", owner, videoId);
                    return new EmptyResponse();
                });
    }

    private static ServiceInstance instanceOf(List<ServiceInstance> instances, int shard) {
        String index = Integer.toString(shard);
        return instances.stream()
                .filter(instance -> Objects.equals(index, instance.getMetadata().get(SHARD_METADATA)))
                .findFirst()
                .orElse(null);
    }
}
