/**
 * Compatibility formats over the same ingest and history: the DPlayer v3 danmaku backend and bilibili's
 * XML export (docs/api.md).
 */
package io.barrage.danmaku.compat;
