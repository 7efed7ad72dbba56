package io.barrage.user.settings;

/** What an import did: rules added, rules already there (skipped), and the settings after it. */
record ImportResult(int imported, int duplicates, SettingsView settings) {}
