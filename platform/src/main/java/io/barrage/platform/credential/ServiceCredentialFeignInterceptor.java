package io.barrage.platform.credential;

import feign.RequestInterceptor;
import feign.RequestTemplate;

/** Every Feign call proves it comes from a service. */
public class ServiceCredentialFeignInterceptor implements RequestInterceptor {

    private final ServiceCredential credential;

    public ServiceCredentialFeignInterceptor(ServiceCredential credential) {
        this.credential = credential;
    }

    @Override
    public void apply(RequestTemplate template) {
        template.removeHeader(ServiceCredential.HEADER);
        template.header(ServiceCredential.HEADER, credential.token());
    }
}
