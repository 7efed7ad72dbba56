package io.barrage.danmaku.history;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
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

/** The moderation API's web contract, on a slice: no MariaDB, Redis or Kafka. */
@WebMvcTest(properties = "barrage.service-token=" + ModerationWebContractTest.TOKEN)
// an explicit configuration, not a nested @SpringBootConfiguration: the @SpringBootTest classes of this
// package would find that one in their search for the application and start with it
@ContextConfiguration(classes = ModerationWebContractTest.Slice.class)
class ModerationWebContractTest {

    static final String TOKEN = "5d0c7a9e3b1f8d2c6a4e0b9f7d3c1a5e8b2f6d4c";

    @Configuration(proxyBeanMethods = false)
    @Import(ModerationController.class)
    static class Slice {}

    @Autowired
    MockMvc mvc;

    @MockitoBean
    DanmakuMapper mapper;

    @MockitoBean
    DanmakuRemoval removal;

    @Test
    void withoutTheServiceCredentialModerationIs401() throws Exception {
        mvc.perform(get("/internal/v1/users/7/danmaku"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("service-credential-required"));
    }

    @Test
    void aParameterOfTheWrongTypeIsInvalidRequestNamingIt() throws Exception {
        mvc.perform(get("/internal/v1/users/7/danmaku").param("size", "lots").header("X-Service-Token", TOKEN))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("size"));
    }
}
