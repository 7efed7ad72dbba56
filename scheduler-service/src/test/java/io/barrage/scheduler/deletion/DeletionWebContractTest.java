package io.barrage.scheduler.deletion;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The deletion API's web contract, on a slice: no MariaDB, Kafka or object store. */
@WebMvcTest(properties = "barrage.service-token=" + DeletionWebContractTest.TOKEN)
// an explicit configuration, not a nested @SpringBootConfiguration: the @SpringBootTest classes of this
// package would find that one in their search for the application and start with it
@ContextConfiguration(classes = DeletionWebContractTest.Slice.class)
class DeletionWebContractTest {

    static final String TOKEN = "5d0c7a9e3b1f8d2c6a4e0b9f7d3c1a5e8b2f6d4c";

    @Configuration(proxyBeanMethods = false)
    @Import(DeletionController.class)
    static class Slice {}

    @Autowired
    MockMvc mvc;

    @MockitoBean
    VideoDeletionMapper deletions;

    @MockitoBean
    DeletionAuditMapper audit;

    @MockitoBean
    DeletionLedger ledger;

    @Test
    void withoutTheServiceCredentialTheDeletionApiIs401() throws Exception {
        mvc.perform(get("/internal/v1/deletions"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("service-credential-required"));
    }

    @Test
    void anInvalidDeletionRequestIsInvalidRequestNamingTheField() throws Exception {
        mvc.perform(post("/internal/v1/deletions")
                        .header("X-Service-Token", TOKEN)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"videoId\":7,\"ownerId\":-1,\"objectKey\":\"videos/7/a.mp4\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("ownerId"));
    }

    @Test
    void aBodyThatIsNotJsonIsMalformedJsonAndAWrongTypedIdNamesTheField() throws Exception {
        mvc.perform(post("/internal/v1/deletions")
                        .header("X-Service-Token", TOKEN)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"videoId\":"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("malformed-json"));
        mvc.perform(get("/internal/v1/deletions/seven").header("X-Service-Token", TOKEN))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("videoId"));
    }
}
