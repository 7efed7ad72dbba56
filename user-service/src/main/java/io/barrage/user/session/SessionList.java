package io.barrage.user.session;

import java.util.List;

record SessionList(List<SessionView> items) {}
