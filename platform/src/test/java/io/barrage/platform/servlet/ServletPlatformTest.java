package io.barrage.platform.servlet;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

@WebMvcTest(properties = "barrage.service-token=" + ServletPlatformTest.TOKEN)
class ServletPlatformTest {

    static final String TOKEN = "3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e2b4d6a";

    @Autowired
    MockMvc mvc;

    private static MockHttpServletRequestBuilder asUser(MockHttpServletRequestBuilder request, long id) {
        return request.header("X-Service-Token", TOKEN).header("X-User-Id", Long.toString(id));
    }

    @Test
    void anInternalEndpointWithoutTheServiceCredentialIs401() throws Exception {
        mvc.perform(get("/internal/v1/ping"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("service-credential-required"));
        mvc.perform(get("/internal/v1/ping").header("X-Service-Token", TOKEN + "x"))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/internal/v1/ping").header("X-Service-Token", TOKEN))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.pong").value(true));
    }

    @Test
    void aRequiredUserIsRefusedWith401BeforeTheBodyIsRead() throws Exception {
        mvc.perform(post("/notes").contentType(MediaType.APPLICATION_JSON).content("{not json"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("unauthenticated"));
    }

    @Test
    void anIdentityHeaderWithoutTheCredentialIsNotBelieved() throws Exception {
        mvc.perform(get("/whoami").header("X-User-Id", "7"))
                .andExpect(jsonPath("$.user").value("anonymous"));
        mvc.perform(asUser(get("/whoami"), 7)).andExpect(jsonPath("$.user").value(7));
    }

    @Test
    void anInvalidBodyIsInvalidRequestNamingTheField() throws Exception {
        mvc.perform(asUser(post("/notes"), 7)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"text\":\"\",\"stars\":3}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("text"));
    }

    @Test
    void aValueOfTheWrongTypeIsInvalidRequestNamingTheFieldAndBrokenJsonIsMalformedJson() throws Exception {
        mvc.perform(asUser(post("/notes"), 7)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"text\":\"hi\",\"stars\":\"many\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("stars"));
        mvc.perform(asUser(post("/notes"), 7)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"text\":"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("malformed-json"))
                .andExpect(jsonPath("$.detail").value(not(containsString("tools.jackson"))));
    }

    @Test
    void aParameterOfTheWrongTypeOrMissingIsInvalidRequestNamingIt() throws Exception {
        mvc.perform(get("/page").param("size", "ten"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("size"));
        mvc.perform(get("/page"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("size"));
    }

    @Test
    void anApiExceptionKeepsItsStatusCodeFieldAndWait() throws Exception {
        mvc.perform(get("/busy"))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "2"))
                .andExpect(jsonPath("$.code").value("slow-down"))
                .andExpect(jsonPath("$.detail").value("Too many."));
        mvc.perform(get("/title"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid-request"))
                .andExpect(jsonPath("$.field").value("title"));
    }

    @Test
    void whatTheFrameworkAnswersItselfHasTheCodeOfItsStatus() throws Exception {
        mvc.perform(get("/nowhere"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("not-found"));
        mvc.perform(post("/page"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(jsonPath("$.code").value("method-not-allowed"));
        mvc.perform(asUser(post("/notes"), 7).contentType(MediaType.TEXT_PLAIN).content("hi"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.code").value("unsupported-media-type"));
    }

    @Test
    void anUnexpectedFailureIsInternalErrorWithoutItsMessage() throws Exception {
        mvc.perform(get("/boom"))
                .andExpect(status().isInternalServerError())
                .andExpect(jsonPath("$.code").value("internal-error"))
                .andExpect(jsonPath("$.detail").value(not(containsString("SELECT"))));
    }

    @Test
    void aCallersRequestIdIsEchoedAndAnUnsafeOneReplaced() throws Exception {
        mvc.perform(get("/whoami").header("X-Request-Id", "abc-12345678"))
                .andExpect(header().string("X-Request-Id", "abc-12345678"));
        mvc.perform(get("/whoami").header("X-Request-Id", "evil\nline"))
                .andExpect(header().string("X-Request-Id", matchesPattern("[0-9a-f-]{36}")));
    }
}
