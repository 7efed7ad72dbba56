package io.barrage.user.session;

import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The session introspection API's web contract, on a slice: no MariaDB, Redis or Kafka. */
@WebMvcTest(properties = "barrage.service-token=" + InternalSessionWebContractTest.TOKEN)
// an explicit configuration, not a nested @SpringBootConfiguration: the @SpringBootTest classes of this
// package would find that one in their search for the application and start with it
@ContextConfiguration(classes = InternalSessionWebContractTest.Slice.class)
class InternalSessionWebContractTest {

    static final String TOKEN = "5d0c7a9e3b1f8d2c6a4e0b9f7d3c1a5e8b2f6d4c";

    @Configuration(proxyBeanMethods = false)
    @Import(InternalSessionController.class)
    static class Slice {}

    @Autowired
    MockMvc mvc;

    @MockitoBean
    Sessions sessions;

    @Test
    void withoutTheServiceCredentialIntrospectionIs401() throws Exception {
        mvc.perform(post("/internal/v1/sessions/introspect")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"token\":\"abc\"}"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("service-credential-required"));
    }

    @Test
    void anUnknownTokenIsSessionNotFoundAndABrokenBodyIsMalformedJson() throws Exception {
        when(sessions.find("abc")).thenReturn(Optional.empty());
        mvc.perform(post("/internal/v1/sessions/introspect")
                        .header("X-Service-Token", TOKEN)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"token\":\"abc\"}"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("session-not-found"));
        mvc.perform(post("/internal/v1/sessions/introspect")
                        .header("X-Service-Token", TOKEN)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"token\""))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("malformed-json"));
    }
}
