package io.barrage.video.catalog;

/** Body of {@code PATCH /api/v1/videos/{id}}: absent (or null) fields stay as they are; "" clears the description. */
record VideoChanges(String title, String description) {}
