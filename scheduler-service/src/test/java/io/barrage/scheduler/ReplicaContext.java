package io.barrage.scheduler;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A context whose own clockwork is off (no scheduled purge, no job ticks, no Kafka listener), so that
 * the tests extending it drive several purger or job "replicas" by hand over the one real database,
 * S3 store and stubbed services, and know exactly who did what. Shared by every class extending it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ReplicaContext {

    protected static final Infra INFRA = TestInfra.get();
    protected static final VideoServiceStub SERVICES = startStub();

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.SCHEDULER).forEach((k, v) -> registry.add(k, () -> v));
        for (String service : new String[] {"video-service", "danmaku-service", "user-service"}) {
            registry.add("spring.cloud.discovery.client.simple.instances." + service + "[0].uri", SERVICES::uri);
        }
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("barrage.scheduler.purge-interval", () -> "1h");
        registry.add("barrage.scheduler.jobs.enabled", () -> "false");
        registry.add("barrage.scheduler.grace-period", () -> "1s");
        registry.add("barrage.scheduler.batch-size", () -> "5");
        registry.add("barrage.scheduler.claim-lease", () -> "2s");
        registry.add("barrage.scheduler.retry-backoff", () -> "50ms");
        registry.add("barrage.scheduler.max-retry-backoff", () -> "200ms");
        registry.add("barrage.scheduler.max-attempts", () -> "5");
        registry.add("barrage.scheduler.instance-id", () -> "context");
    }

    private static VideoServiceStub startStub() {
        try {
            return new VideoServiceStub(INFRA.serviceToken());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
