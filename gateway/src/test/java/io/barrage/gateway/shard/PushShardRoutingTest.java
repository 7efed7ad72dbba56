package io.barrage.gateway.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.Response;

class PushShardRoutingTest {

    private static final int PARTITIONS = 12;

    private final List<ServiceInstance> threeShards = List.of(shard(2), shard(0), shard(1));

    @Test
    void theOwnerIsComputedFromTheVeryPartitionKafkaPicks() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (long videoId : LongStream.rangeClosed(1, 300).toArray()) {
                int partition = producer.send(new ProducerRecord<>(
                                "danmaku.events", Long.toString(videoId), "{\"type\":\"ShardProbe\",\"version\":1}"))
                        .get()
                        .partition();
                assertThat(PushShards.partitionOf(videoId, PARTITIONS))
                        .as("video %d", videoId)
                        .isEqualTo(partition);
            }
        }
    }

    @Test
    void everyVideoGoesToTheInstanceOfItsShard() {
        PushShardLoadBalancer balancer = new PushShardLoadBalancer(null, PARTITIONS, 3);
        int[] perShard = new int[3];
        for (long videoId = 1; videoId <= 3000; videoId++) {
            ServiceInstance chosen = balancer.choose(threeShards, videoId).getServer();
            int owner = PushShards.ownerOf(videoId, PARTITIONS, 3);
            assertThat(chosen.getMetadata()).containsEntry("shard", Integer.toString(owner));
            perShard[owner]++;
        }
        // Adding shards spreads videos: each of three shards gets a fair part of them.
        for (int count : perShard) {
            assertThat(count).isBetween(600, 1400);
        }
    }

    @Test
    void aShardWithNoInstanceMeansNoServerRatherThanAWrongOne() {
        PushShardLoadBalancer balancer = new PushShardLoadBalancer(null, PARTITIONS, 3);
        long ownedByShardTwo = LongStream.iterate(1, id -> id + 1)
                .filter(id -> PushShards.ownerOf(id, PARTITIONS, 3) == 2)
                .findFirst()
                .orElseThrow();

        Response<ServiceInstance> response = balancer.choose(List.of(shard(0), shard(1)), ownedByShardTwo);

        assertThat(response.hasServer()).isFalse();
    }

    @Test
    void withOneShardAnyInstanceServes() {
        PushShardLoadBalancer balancer = new PushShardLoadBalancer(null, PARTITIONS, 1);
        ServiceInstance plain = new DefaultServiceInstance("p", "push-service", "127.0.0.1", 8084, false);

        assertThat(balancer.choose(List.of(plain), 42).getServer()).isSameAs(plain);
    }

    @Test
    void theVideoIdIsReadFromBothPushPaths() {
        assertThat(PushShards.videoIdOf("/ws/v1/videos/123")).isEqualTo(123);
        assertThat(PushShards.videoIdOf("/api/v1/videos/77/online")).isEqualTo(77);
        assertThat(PushShards.videoIdOf("/ws/v1/videos/abc")).isEqualTo(-1);
        assertThat(PushShards.videoIdOf("/ws/v1/videos/-5")).isEqualTo(-1);
        assertThat(PushShards.videoIdOf("/ws/v1/elsewhere")).isEqualTo(-1);
    }

    private static ServiceInstance shard(int index) {
        return new DefaultServiceInstance(
                "push-" + index,
                "push-service",
                "127.0.0.1",
                18400 + index,
                false,
                Map.of("shard", Integer.toString(index)));
    }
}
