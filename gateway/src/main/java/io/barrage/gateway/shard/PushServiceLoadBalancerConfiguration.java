package io.barrage.gateway.shard;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Beans of push-service's own load-balancer context. Deliberately neither annotated nor nested in a
 * configuration class: either would register it in the gateway's main context, where it would become the
 * load balancer of every service.
 */
class PushServiceLoadBalancerConfiguration {

    @Bean
    ReactorLoadBalancer<ServiceInstance> pushShardLoadBalancer(
            Environment environment, LoadBalancerClientFactory clients, ObjectProvider<SpreadSets> spread) {
        String name = environment.getProperty(LoadBalancerClientFactory.PROPERTY_NAME);
        return new PushShardLoadBalancer(
                clients.getLazyProvider(name, ServiceInstanceListSupplier.class),
                environment.getProperty("barrage.gateway.push-partitions", Integer.class, 12),
                environment.getProperty("barrage.gateway.push-shards", Integer.class, 1),
                spread.getIfAvailable());
    }
}
