package io.barrage.platform.requestid;

import feign.RequestInterceptor;
import feign.RequestTemplate;

/** Every Feign call carries the id of the request that made it. */
public class RequestIdFeignInterceptor implements RequestInterceptor {

    @Override
    public void apply(RequestTemplate template) {
        String id = RequestIds.current();
        if (id != null) {
            template.removeHeader(RequestIds.HEADER);
            template.header(RequestIds.HEADER, id);
        }
    }
}
