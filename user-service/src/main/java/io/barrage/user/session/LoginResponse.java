package io.barrage.user.session;

import io.barrage.user.account.PublicProfile;
import java.time.Instant;

record LoginResponse(String token, Instant expiresAt, PublicProfile user) {}
