package io.barrage.user;

import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** One Spring context on the real infrastructure, shared by every test class that extends this. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class UserServiceContext {

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.USER).forEach((k, v) -> registry.add(k, () -> v));
        // the sweep of expired sessions must not run in the middle of a test that counts expired rows
        // (SessionPurgeJobTest); this context outlives PT1M, the default first run, on a slow machine
        registry.add("barrage.session.cleanup-initial-delay", () -> "P365D");
    }
}
