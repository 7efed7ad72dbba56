package io.barrage.video.stats;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The job API's web contract, on a slice: no MariaDB, Redis, Kafka or object store. */
@WebMvcTest(properties = "barrage.service-token=" + JobWebContractTest.TOKEN)
// an explicit configuration, not a nested @SpringBootConfiguration: the @SpringBootTest classes of this
// package would find that one in their search for the application and start with it
@ContextConfiguration(classes = JobWebContractTest.Slice.class)
class JobWebContractTest {

    static final String TOKEN = "5d0c7a9e3b1f8d2c6a4e0b9f7d3c1a5e8b2f6d4c";

    @Configuration(proxyBeanMethods = false)
    @Import(JobController.class)
    static class Slice {}

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ViewFlush flush;

    @MockitoBean
    HotRanking ranking;

    @Test
    void withoutTheServiceCredentialAJobIs401() throws Exception {
        mvc.perform(post("/internal/v1/jobs/view-count-flush"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("service-credential-required"));
    }

    @Test
    void aJobAskedWithTheWrongMethodIsMethodNotAllowed() throws Exception {
        mvc.perform(get("/internal/v1/jobs/view-count-flush").header("X-Service-Token", TOKEN))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(jsonPath("$.code").value("method-not-allowed"));
    }
}
