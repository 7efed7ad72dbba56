package io.barrage.gateway.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

/**
 * The gateway's routing of a hot video, from push-service's records on the real {@code push.spread} topic:
 * new viewers go to the ready members of the set, the least loaded first; the online count and a cold video
 * go to the owner; an older version of a set never comes back.
 */
class SpreadRoutingTest {

    private static final int PARTITIONS = 12;
    private final List<ServiceInstance> threeShards = List.of(shard(0), shard(1), shard(2));
    private final SpreadSets spread = new SpreadSets(TestInfra.get().kafkaBootstrapServers(), Duration.ofSeconds(10));

    @AfterEach
    void stop() {
        spread.stop();
    }

    @Test
    void aHotVideosNewViewersGoToTheReadyMembersOfItsSetBalancedAndEverythingElseToTheOwner() throws Exception {
        long base = 8_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        long hot = LongStream.iterate(base, id -> id + 1)
                .filter(id -> PushShards.ownerOf(id, PARTITIONS, 3) == 0)
                .findFirst()
                .orElseThrow();
        long cold = hot + 1;
        spread.start();
        PushShardLoadBalancer balancer = new PushShardLoadBalancer(null, PARTITIONS, 3, spread);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, "set/" + hot, "{\"videoId\":" + hot + ",\"owner\":0,\"shards\":[0,1,2],\"version\":3}");
            send(producer, "viewers/" + hot + "/0", "{\"viewers\":10,\"ready\":true}");
            send(producer, "viewers/" + hot + "/1", "{\"viewers\":4,\"ready\":true}");
            send(producer, "viewers/" + hot + "/2", "{\"viewers\":0,\"ready\":false}");
            await(() -> spread.candidates(hot, 0).size() == 2);

            Map<String, Integer> chosen = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                String shard = balancer.choose(threeShards, hot, true)
                        .getServer()
                        .getMetadata()
                        .get("shard");
                chosen.merge(shard, 1, Integer::sum);
            }
            // shard 1 is filled up to the owner's 10 first, then they alternate; shard 2 does not read yet
            assertThat(chosen).containsEntry("1", 8).containsEntry("0", 2).doesNotContainKey("2");
            assertThat(balancer.choose(threeShards, hot, false).getServer().getMetadata())
                    .as("the online count goes to the owner")
                    .containsEntry("shard", "0");
            assertThat(balancer.choose(threeShards, cold, true).getServer().getMetadata())
                    .containsEntry("shard", Integer.toString(PushShards.ownerOf(cold, PARTITIONS, 3)));

            // an older set never comes back; a newer one closes it
            send(producer, "set/" + hot, "{\"videoId\":" + hot + ",\"owner\":0,\"shards\":[0],\"version\":2}");
            send(producer, "viewers/" + hot + "/2", "{\"viewers\":0,\"ready\":true}");
            await(() -> spread.candidates(hot, 0).size() == 3);
            send(producer, "set/" + hot, "{\"videoId\":" + hot + ",\"owner\":0,\"shards\":[0],\"version\":4}");
            await(() -> spread.candidates(hot, 0).size() == 1);
            assertThat(balancer.choose(threeShards, hot, true).getServer().getMetadata())
                    .containsEntry("shard", "0");

            // the owner forgets a closed set with a tombstone: no set; the next time the video is hot its set
            // starts again from version 1
            send(producer, "set/" + hot, null);
            send(producer, "set/" + hot, "{\"videoId\":" + hot + ",\"owner\":0,\"shards\":[0,1],\"version\":1}");
            await(() -> spread.candidates(hot, 0).size() == 2);
            send(producer, "set/" + hot, null);
            await(() -> spread.candidates(hot, 0).size() == 1);
            assertThat(balancer.choose(threeShards, hot, true).getServer().getMetadata())
                    .as("after the tombstone, a new viewer goes to the owner")
                    .containsEntry("shard", "0");
        }
    }

    @Test
    void anOwnerWhoseReportWentStaleGetsNoNewViewersWhileAMemberReadsThePartition() {
        SpreadSets sets = new SpreadSets("", Duration.ofSeconds(10));
        PushShardLoadBalancer balancer = new PushShardLoadBalancer(null, PARTITIONS, 3, sets);
        long hot = LongStream.iterate(9_000_000_000L, id -> id + 1)
                .filter(id -> PushShards.ownerOf(id, PARTITIONS, 3) == 0)
                .findFirst()
                .orElseThrow();
        long now = System.currentTimeMillis();
        sets.apply("set/" + hot, "{\"videoId\":" + hot + ",\"owner\":0,\"shards\":[0,1],\"version\":1}", now);
        sets.apply("viewers/" + hot + "/1", "{\"viewers\":40,\"ready\":true}", now);
        assertThat(sets.candidates(hot, 0))
                .as("an owner with no report yet is alive")
                .containsExactly(0, 1);

        // the owner died (kill -9): its last report is older than the timeout, the member's is fresh
        sets.apply("viewers/" + hot + "/0", "{\"viewers\":3,\"ready\":true}", now - 20_000);
        assertThat(sets.candidates(hot, 0)).containsExactly(1);
        assertThat(balancer.choose(threeShards, hot, true).getServer().getMetadata())
                .as("a new viewer goes to the member, though it holds more viewers")
                .containsEntry("shard", "1");
        assertThat(balancer.choose(threeShards, hot, false).getServer().getMetadata())
                .as("the online count still asks the owner (nobody else sums the set)")
                .containsEntry("shard", "0");

        // nobody fresh at all: the owner, as for a cold video
        sets.apply("viewers/" + hot + "/1", "{\"viewers\":40,\"ready\":true}", now - 20_000);
        assertThat(sets.candidates(hot, 0)).containsExactly(0);
    }

    private static void send(KafkaProducer<String, String> producer, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(SpreadSets.TOPIC, key, value)).get();
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 30 s").isNegative();
            Thread.sleep(50);
        }
    }

    private static ServiceInstance shard(int index) {
        return new DefaultServiceInstance(
                "push-" + index, "push-service", "127.0.0.1", 18400 + index, false, Map.of("shard", "" + index));
    }
}
