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

    PushShardLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> suppliers, int partitions, int shards) {
        if (shards < 1 || partitions < shards) {
            throw new IllegalArgumentException(
                    "need 1 <= push shards <= partitions; got " + shards + " shards, " + partitions + " partitions");
        }
        this.suppliers = suppliers;
        this.partitions = partitions;
        this.shards = shards;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Mono<Response<ServiceInstance>> choose(Request request) {
        ServiceInstanceListSupplier supplier = suppliers.getIfAvailable();
        if (supplier == null) {
            return Mono.just(new EmptyResponse());
        }
        long videoId = request.getContext() instanceof RequestDataContext context && context.getClientRequest() != null
                ? PushShards.videoIdOf(context.getClientRequest().getUrl().getPath())
                : -1;
        return supplier.get(request).next().map(instances -> choose(instances, videoId));
    }

    Response<ServiceInstance> choose(List<ServiceInstance> instances, long videoId) {
        if (instances.isEmpty()) {
            return new EmptyResponse();
        }
        if (shards == 1 || videoId < 0) {
            // One shard owns everything; a path without a video id is refused by push-service itself.
            return new DefaultResponse(instances.getFirst());
        }
        String owner = Integer.toString(PushShards.ownerOf(videoId, partitions, shards));
        return instances.stream()
                .filter(instance -> Objects.equals(owner, instance.getMetadata().get(SHARD_METADATA)))
                .findFirst()
                .<Response<ServiceInstance>>map(DefaultResponse::new)
                .orElseGet(() -> {
                    log.warn("no push-service instance registered for shard {} (video {})", owner, videoId);
                    return new EmptyResponse();
                });
    }
}
