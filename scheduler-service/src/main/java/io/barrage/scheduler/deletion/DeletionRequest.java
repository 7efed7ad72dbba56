package io.barrage.scheduler.deletion;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /internal/v1/deletions}: the same facts a {@code VideoDeleted} event carries, for a caller
 * that cannot publish one. {@code deletedBy} is who asked for the deletion (the owner or a moderator);
 * it defaults to the owner.
 */
record DeletionRequest(
        @NotNull @Positive Long videoId,
        @NotNull @Positive Long ownerId,

        @NotBlank @Size(max = 255) @Pattern(regexp = "[A-Za-z0-9!_.*'()/-]+")
        String objectKey,

        @Positive Long deletedBy) {}
