package io.barrage.user.session;

import io.barrage.user.account.PasswordChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** A new password ends every other session of the user: whoever knew the old one is logged out. */
@Component
class PasswordChangeListener {

    private final Sessions sessions;
    private final SessionEvents events;

    PasswordChangeListener(Sessions sessions, SessionEvents events) {
        this.sessions = sessions;
        this.events = events;
    }

    // synchronous, inside the change's transaction: the rows go with the old password or not at all
    @EventListener
    void on(PasswordChanged changed) {
        sessions.revokeAllExcept(changed.userId(), changed.keepTokenHash())
                .forEach(ended -> events.revoked(SessionRevoked.of(ended.tokenHash(), ended.userId())));
    }
}
