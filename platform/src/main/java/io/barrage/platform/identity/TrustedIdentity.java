package io.barrage.platform.identity;

import io.barrage.platform.credential.ServiceCredential;
import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who a request comes from: another service or the gateway (it carries the service credential), and the
 * user the gateway vouches for ({@value #USER_ID}, believed only together with the credential).
 */
public class TrustedIdentity {

    public static final String USER_ID = "X-User-Id";

    private final ServiceCredential credential;

    public TrustedIdentity(ServiceCredential credential) {
        this.credential = credential;
    }

    /** True when the request carries the service credential. */
    public boolean presentIn(HttpServletRequest request) {
        return credential.presentIn(request.getHeader(ServiceCredential.HEADER));
    }

    /** The verified user behind the request, if any; a malformed or non-positive id is no identity. */
    public OptionalLong userId(HttpServletRequest request) {
        String raw = request.getHeader(USER_ID);
        if (raw == null || !presentIn(request)) {
            return OptionalLong.empty();
        }
        try {
            long id = Long.parseLong(raw.trim());
            return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public Optional<CurrentUser> user(HttpServletRequest request) {
        OptionalLong id = userId(request);
        return id.isPresent() ? Optional.of(new CurrentUser(id.getAsLong())) : Optional.empty();
    }

    /** The verified user, or 401 {@code unauthenticated}. */
    public long requireUser(HttpServletRequest request) {
        return userId(request).orElseThrow(ApiException::unauthenticated);
    }
}
