package io.barrage.user.settings;

import io.barrage.platform.problem.ApiException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes an account's settings with optimistic concurrency: a write names the version it was
 * based on and loses (412 {@code settings-version-conflict}) when another write came first, so two devices
 * never silently overwrite each other's rules.
 */
@Service
class DanmakuSettingsStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DanmakuSettingsMapper rows;
    private final SettingsValidation validation;
    private final DanmakuSettingsProperties limits;

    DanmakuSettingsStore(DanmakuSettingsMapper rows, SettingsValidation validation, DanmakuSettingsProperties limits) {
        this.rows = rows;
        this.validation = validation;
        this.limits = limits;
    }

    SettingsView read(long userId) {
        SettingsRow row = rows.find(userId);
        if (row == null) {
            return SettingsView.of(0, null, DanmakuSettings.DEFAULTS);
        }
        return SettingsView.of(row.version(), row.updatedAt(), JSON.readValue(row.document(), DanmakuSettings.class));
    }

    /** Replaces the settings if {@code expected} is still the current version (0: never saved). */
    SettingsView write(long userId, long expected, DanmakuSettings settings) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String document = JSON.writeValueAsString(settings);
        if (expected == 0) {
            try {
                rows.insert(userId, document, now);
            } catch (DuplicateKeyException e) {
                throw conflict();
            }
        } else if (rows.update(userId, expected, document, now) == 0) {
            throw conflict();
        }
        return SettingsView.of(expected + 1, now, settings);
    }

    /**
     * Adds rules to whatever is current (read, add, conditional write; again from the read when another
     * write got in between). With {@code expected} set, only that version is accepted.
     */
    ImportResult addRules(long userId, Long expected, List<DanmakuRule> imported) {
        for (int attempt = 0; ; attempt++) {
            SettingsView current = read(userId);
            if (expected != null && expected != current.version()) {
                throw conflict();
            }
            DanmakuSettings base = settingsOf(current);
            List<DanmakuRule> merged = SettingsValidation.distinct(concat(base.rules(), imported));
            if (merged.size() > limits.maxRules()) {
                throw validation.tooManyRules(merged.size());
            }
            int added = merged.size() - base.rules().size();
            try {
                SettingsView saved = write(userId, current.version(), base.withRules(merged));
                return new ImportResult(added, imported.size() - added, saved);
            } catch (ApiException e) {
                if (expected != null || attempt >= limits.importRetries()) {
                    throw e;
                }
            }
        }
    }

    static DanmakuSettings settingsOf(SettingsView v) {
        return new DanmakuSettings(
                v.rules(),
                v.hiddenModes(),
                v.hideColored(),
                v.mergeRepeats(),
                v.displayArea(),
                v.subtitleSafe(),
                v.speed(),
                v.fontScale(),
                v.opacity());
    }

    private static List<DanmakuRule> concat(List<DanmakuRule> a, List<DanmakuRule> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    static ApiException conflict() {
        return new ApiException(
                HttpStatus.PRECONDITION_FAILED,
                "settings-version-conflict",
                "The settings were changed elsewhere since you read them; read them again and reapply your change.");
    }
}
