package io.barrage.gateway.shard;

import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.context.annotation.Configuration;

/**
 * push-service's load balancer picks the owning shard ({@code barrage.gateway.push-shards} shards over
 * the {@code barrage.gateway.push-partitions} partitions of {@code danmaku.events}); the chart sets the
 * shard count once for both the gateway and push-service's StatefulSet.
 */
@Configuration(proxyBeanMethods = false)
@LoadBalancerClient(name = "push-service", configuration = PushServiceLoadBalancerConfiguration.class)
class PushShardRouting {}
